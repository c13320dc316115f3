import { buildFloatModel, compareWithFloat, exactGraphAndEvaluator, intsAttr, seededValues } from '../testing';

async function check(bytes: Uint8Array, inputs: number[][], tolerance: number): Promise<string[]> {
  const result = await compareWithFloat(bytes, inputs);
  expect(result.maxAbsError).toBeLessThanOrEqual(tolerance);
  const { graph, evaluator } = await exactGraphAndEvaluator(result.model, [...inputs, inputs[0].map((v) => -v)]);
  expect(graph).toEqual(evaluator);
  return result.model.steps.map((s) => s.op);
}

describe('MatMul of two activations (section 3.7)', () => {
  it('attention: softmax(Q K^T / sqrt(d)) V, bit for bit and close to the float model', async () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['n', 4, 6] },
      output: { name: 'y', dims: ['n', 4, 5] },
      initializers: [
        { name: 'wq', dims: [6, 5], values: seededValues(30, 31, 0.5) },
        { name: 'wk', dims: [6, 5], values: seededValues(30, 32, 0.5) },
        { name: 'wv', dims: [6, 5], values: seededValues(30, 33, 0.5) },
        { name: 'scale', dims: [], values: [Math.sqrt(5)] },
      ],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'wq'], output: 'q' },
        { op: 'MatMul', inputs: ['x', 'wk'], output: 'k' },
        { op: 'MatMul', inputs: ['x', 'wv'], output: 'v' },
        { op: 'Transpose', inputs: ['k'], output: 'kt', attrs: [intsAttr('perm', [0, 2, 1])] },
        { op: 'MatMul', inputs: ['q', 'kt'], output: 's' },
        { op: 'Div', inputs: ['s', 'scale'], output: 'z' },
        { op: 'Softmax', inputs: ['z'], output: 'p' },
        { op: 'MatMul', inputs: ['p', 'v'], output: 'y' },
      ],
    });
    const ops = await check(bytes, [seededValues(24, 34, 2), seededValues(24, 35, 1)], 2 ** -7);
    expect(ops.filter((op) => op === 'matmul')).toHaveLength(2);
  });

  it('broadcasts the batch axes of the two operands', async () => {
    // b = x[:, 0:1] transposed to [1, 1, 4, 3], broadcast over axis 1 of x
    const sliced = buildFloatModel({
      input: { name: 'x', dims: ['n', 2, 3, 4] },
      output: { name: 'y', dims: ['n', 2, 3, 3] },
      initializers: [
        { name: 'starts', dims: [1], values: [0], type: 'int64' },
        { name: 'ends', dims: [1], values: [1], type: 'int64' },
        { name: 'axes', dims: [1], values: [1], type: 'int64' },
      ],
      nodes: [
        { op: 'Slice', inputs: ['x', 'starts', 'ends', 'axes'], output: 'b0' },
        { op: 'Transpose', inputs: ['b0'], output: 'b', attrs: [intsAttr('perm', [0, 1, 3, 2])] },
        { op: 'MatMul', inputs: ['x', 'b'], output: 'y' },
      ],
    });
    expect(await check(sliced, [seededValues(24, 36, 2), seededValues(24, 37, 1)], 2 ** -9)).toEqual(['gather', 'gather', 'gather', 'gather', 'matmul']);
  });
});
