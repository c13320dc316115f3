import { evaluate } from '../evaluator/evaluator';
import { FloatModelRunner } from '../accuracy/float-model-runner';
import { quantize } from '../quantize/quantize';
import { buildFloatModel, floatAttr, intAttr } from '../testing/float-model-builder';
import { importOnnx } from './onnx-import';
import { engineErrorOf } from '../testing/engine-error-of';

const errorOf = engineErrorOf;

const gemmWithBatchNorm = (): Uint8Array =>
  buildFloatModel({
    input: { name: 'x', dims: ['batch_size', 3] },
    output: { name: 'y', dims: ['batch_size', 2] },
    initializers: [
      { name: 'w', dims: [2, 3], values: [0.5, -0.25, 0.125, 1, 0.75, -0.5] },
      { name: 'b', dims: [2], values: [0.1, -0.2] },
      { name: 'gamma', dims: [2], values: [1.5, 0.5] },
      { name: 'beta', dims: [2], values: [0.25, -0.125] },
      { name: 'mean', dims: [2], values: [0.05, -0.1] },
      { name: 'var', dims: [2], values: [0.8, 1.2] },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['x', 'w', 'b'], output: 'h', attrs: [intAttr('transB', 1)] },
      { op: 'BatchNormalization', inputs: ['h', 'gamma', 'beta', 'mean', 'var'], output: 'y', attrs: [floatAttr('epsilon', 1e-5)] },
    ],
  });

describe('ONNX import', () => {
  it('refuses bytes that are not a protobuf ModelProto with MALFORMED_ONNX', () => {
    expect(errorOf(() => importOnnx(Uint8Array.from([0xff, 0xff, 0xff, 0x0f, 0x01]))).code).toBe('MALFORMED_ONNX');
    expect(errorOf(() => importOnnx(new Uint8Array(0))).code).toBe('MALFORMED_ONNX');
  });

  it('gives a model that computes nothing (no node, or only an Identity) one copy step', () => {
    // Zero steps would leave no trace to dispute a wrong output commitment against.
    const passThrough = buildFloatModel({ input: { name: 'x', dims: [1, 4] }, output: { name: 'x', dims: [1, 4] }, initializers: [], nodes: [] });
    const identity = buildFloatModel({
      input: { name: 'x', dims: [1, 4] },
      output: { name: 'y', dims: [1, 4] },
      initializers: [],
      nodes: [{ op: 'Identity', inputs: ['x'], output: 'y' }],
    });
    for (const bytes of [passThrough, identity]) {
      const model = quantize(importOnnx(bytes));
      expect(model.steps.map((step) => [step.op, step.inputs, step.outShape])).toEqual([['reshape', [0], [1, 4]]]);
      const result = evaluate(model, [0.5, -0.25, 0.125, -1]);
      expect(result.outputFixed).toEqual(Array.from(result.inputFixed, (v) => BigInt(v)));
    }
  });

  it('folds a BatchNormalization that follows a Gemm into the Gemm and matches the float model', async () => {
    const bytes = gemmWithBatchNorm();
    const imported = importOnnx(bytes);
    expect(imported.steps.map((s) => s.op)).toEqual(['linear']);
    const input = [0.3, -0.7, 0.9];
    const runner = await FloatModelRunner.create(imported);
    const expected = await runner.run(input);
    await runner.release();
    const actual = evaluate(quantize(imported, { calibration: [input] }), input).output;
    actual.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(2 ** -10));
  });

  it('refuses a dynamic dimension other than the batch with DYNAMIC_SHAPE', () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['batch_size', 'features'] },
      output: { name: 'y', dims: ['batch_size', 'features'] },
      initializers: [],
      nodes: [{ op: 'Relu', inputs: ['x'], output: 'y' }],
    });
    expect(errorOf(() => importOnnx(bytes)).code).toBe('DYNAMIC_SHAPE');
  });

  it('accepts Softmax that is not the final op (issue 13)', () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['batch_size', 3] },
      output: { name: 'y', dims: ['batch_size', 3] },
      initializers: [],
      nodes: [
        { op: 'Softmax', inputs: ['x'], output: 's' },
        { op: 'Relu', inputs: ['s'], output: 'y' },
      ],
    });
    expect(importOnnx(bytes).steps.map((s) => s.op)).toEqual(['softmax', 'relu']);
  });

  it('turns Div by a constant into an affine step and folds a MatMul + Add bias', () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['batch_size', 2] },
      output: { name: 'y', dims: ['batch_size', 2] },
      initializers: [
        { name: 'w', dims: [2, 2], values: [1, 2, 3, 4] },
        { name: 'b', dims: [2], values: [0.5, -0.5] },
        { name: 'd', dims: [], values: [4] },
      ],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], output: 'm' },
        { op: 'Add', inputs: ['m', 'b'], output: 'a' },
        { op: 'Div', inputs: ['a', 'd'], output: 'y' },
      ],
    });
    const imported = importOnnx(bytes);
    expect(imported.steps.map((s) => s.op)).toEqual(['linear', 'affine']);
    const result = evaluate(quantize(imported), [0.25, -0.5]);
    // (0.25*1 - 0.5*3 + 0.5) / 4 = -0.1875 ; (0.25*2 - 0.5*4 - 0.5) / 4 = -0.5
    expect(result.output).toEqual([-0.1875, -0.5]);
  });
});
