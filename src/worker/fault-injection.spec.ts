import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importOnnx, parseInputs, quantize, quantizeInput, type QuantizedModel, traceOf } from '../engine';
import { loadMnistHoldout, mnistFixtureDir } from '../engine/testing';
import { tamperedTrace, wrongOutputTrace } from './fault-injection';

function mnistModel(): QuantizedModel {
  const dir = mnistFixtureDir();
  const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')));
  return quantize(importOnnx(readFileSync(join(dir, 'mnist-mlp.onnx'))), { calibration });
}

describe('fault injection', () => {
  const model = mnistModel();
  const honest = traceOf(model, quantizeInput(model, loadMnistHoldout().inputs[0]));

  it('wrongOutputTrace changes the output and the trace but keeps the input', () => {
    const lie = wrongOutputTrace(model, honest);
    expect(lie.output).not.toEqual(honest.output);
    expect(lie.outputCommitment).not.toBe(honest.outputCommitment);
    expect(lie.traceCommitment).not.toBe(honest.traceCommitment);
    expect(lie.input).toEqual(honest.input);
    expect(lie.inputCommitment).toBe(honest.inputCommitment);
    expect(lie.roots[0]).toBe(honest.roots[0]);
  });

  it('wrongOutputTrace changes the first step and recomputes the later ones, so the lie is internally consistent', () => {
    const lie = wrongOutputTrace(model, honest);
    expect(lie.tensors[1]).not.toEqual(honest.tensors[1]);
    const again = tamperedTrace(model, lie, { step: 0, element: 0, delta: 0, recompute: true });
    expect(again.traceCommitment).toBe(lie.traceCommitment);
  });

  it('tamperedTrace with recompute false changes one value and keeps every later tensor', () => {
    const element = honest.tensors[1].findIndex((v) => v > 0n);
    const lie = tamperedTrace(model, honest, { step: 0, element, delta: 3, recompute: false });
    expect(lie.tensors[1][element]).toBe(honest.tensors[1][element] + 3n);
    expect(lie.tensors[1].filter((v, i) => v !== honest.tensors[1][i])).toHaveLength(1);
    expect(lie.tensors.slice(2)).toEqual(honest.tensors.slice(2));
    expect(lie.outputCommitment).toBe(honest.outputCommitment);
    expect(lie.traceCommitment).not.toBe(honest.traceCommitment);
  });

  it('tamperedTrace refuses a step or an element the model does not have', () => {
    expect(() =>
      tamperedTrace(model, honest, { step: honest.tensors.length, element: 0, recompute: true }),
    ).toThrow(RangeError);
    expect(() =>
      tamperedTrace(model, honest, { step: 0, element: honest.tensors[1].length, recompute: true }),
    ).toThrow(RangeError);
  });
});
