import { EngineError } from '../engine.errors';
import { importOnnx } from '../onnx/onnx-import';
import { quantize } from '../quantize/quantize';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { buildRandomMlp } from '../testing/float-model-builder';
import { evaluate, evaluateFixed } from './evaluator';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof EngineError ? error.code : 'NOT_ENGINE_ERROR';
  }
  return undefined;
}

describe('the canonical evaluator', () => {
  const model = quantize(importOnnx(buildRandomMlp([6, 5, 3])), { calibration: [[0.5, -0.5, 0.25, 1, -1, 0]] });
  const input = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6];

  it('returns the dequantized output, the fixed output and one trace entry per step', () => {
    const result = evaluate(model, input);
    expect(result.trace.map((t) => t.op)).toEqual(['linear', 'relu', 'linear']);
    expect(result.trace[2].values).toHaveLength(3);
    expect(result.outputFixed.map(Number)).toEqual(Array.from(result.trace[2].values));
    expect(result.output).toEqual(result.outputFixed.map((v) => Number(v) / 2 ** model.fractionBits));
    expect(result.trace[1].values.every((v) => v >= 0)).toBe(true);
  });

  it('is deterministic', () => {
    expect(evaluate(model, input).outputFixed).toEqual(evaluate(model, input).outputFixed);
  });

  it('refuses an input of the wrong length with INPUT_SHAPE and says what it expects', () => {
    expect(codeOf(() => evaluate(model, input.slice(1)))).toBe('INPUT_SHAPE');
    expect(() => evaluate(model, input.slice(1))).toThrow('input has 5 values, the model expects 6 (shape 1x6)');
  });

  it('refuses NaN and Infinity with NON_FINITE_INPUT', () => {
    expect(codeOf(() => evaluate(model, [Number.NaN, 0, 0, 0, 0, 0]))).toBe('NON_FINITE_INPUT');
    expect(codeOf(() => evaluate(model, [0, 0, 0, 0, 0, -Infinity]))).toBe('NON_FINITE_INPUT');
  });

  it('refuses inputs beyond the input bound with INPUT_OUT_OF_BOUND but accepts the bound itself', () => {
    expect(model.inputBoundReal).toBe(4);
    expect(codeOf(() => evaluate(model, [4.001, 0, 0, 0, 0, 0]))).toBe('INPUT_OUT_OF_BOUND');
    expect(codeOf(() => evaluate(model, [-4, 4, 0, 0, 0, 0]))).toBeUndefined();
  });

  it('throws OVERFLOW instead of wrapping when a tampered model breaks its static bounds', () => {
    const tampered: QuantizedModel = JSON.parse(JSON.stringify(model));
    const first = tampered.steps[0];
    if (first.op !== 'linear') throw new Error('expected a linear first step');
    first.weights = first.weights.map(() => 2 ** 40);
    const fixed = Float64Array.from(input, (v) => Math.round(v * 2 ** model.fractionBits));
    expect(codeOf(() => evaluateFixed(tampered, fixed))).toBe('OVERFLOW');
  });
});
