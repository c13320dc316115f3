import { reduceGroup } from '../fixed-point/reduce';
import { buildFloatModel, compareWithFloat, engineErrorOf, exactGraphAndEvaluator, intAttr, intsAttr, seededValues, type FloatModelSpec } from '../testing';
import { importOnnx } from './onnx-import';

const F = 12;
const DIMS = [2, 3, 4];

function model(nodes: FloatModelSpec['nodes'], outDims: number[], initializers: FloatModelSpec['initializers'] = [], opset?: number): Uint8Array {
  return buildFloatModel({ input: { name: 'x', dims: ['n', ...DIMS] }, output: { name: 'y', dims: ['n', ...outDims] }, initializers, nodes, opset });
}

/** Ties for argmax/argmin (equal values at several positions), zero, and random values. */
const TIES = Array.from({ length: 24 }, (_, i) => [0.5, -0.25, 0.5, 0.125][i % 4] * (i % 3 === 0 ? 1 : -1));
const INPUTS = [TIES, seededValues(24, 11, 3), seededValues(24, 12, 3)];

async function check(bytes: Uint8Array, tolerance: number, expectedOps: string[]): Promise<void> {
  const result = await compareWithFloat(bytes, INPUTS, F);
  expect(result.model.steps.map((s) => s.op)).toEqual(expectedOps);
  expect(result.maxAbsError).toBeLessThanOrEqual(tolerance);
  const { graph, evaluator } = await exactGraphAndEvaluator(result.model, [...INPUTS, seededValues(24, 13, 4), seededValues(24, 14, 0.01)]);
  expect(graph).toEqual(evaluator);
}

describe('reduction rules (section 3.3)', () => {
  it('rounds a mean half up, for negative sums too, and takes the first index on a tie', () => {
    // F = 2; groups of 2 and 4
    expect([[3, 4], [-3, -4], [1, 2], [-1, -2], [5, -5]].map((g) => reduceGroup('mean', g, 0, 2, 2))).toEqual([4, -3, 2, -1, 0]);
    expect(reduceGroup('mean', [1, 1, 1, 0], 0, 4, 2)).toBe(1); // 3/4 -> 1
    expect(reduceGroup('mean', [-1, -1, 0, 0], 0, 4, 2)).toBe(0); // -2/4 = -0.5 -> 0 (half up)
    expect(reduceGroup('argmax', [1, 7, 7, 2], 0, 4, 2)).toBe(4); // index 1 at 2^2
    expect(reduceGroup('argmin', [3, 0, 9, 0], 0, 4, 2)).toBe(4);
    expect(reduceGroup('l1', [-3, 4, -5], 0, 3, 2)).toBe(12);
  });
});

describe('reductions against the float model and the float64 graph', () => {
  it.each([
    ['ReduceSum', 2 ** -(F - 3)],
    ['ReduceMean', 2 ** -F],
    ['ReduceMax', 2 ** -(F + 1)],
    ['ReduceMin', 2 ** -(F + 1)],
    ['ReduceL1', 2 ** -(F - 3)],
    ['ReduceSumSquare', 2 ** -(F - 6)],
  ] as const)('%s over the last axis, a middle axis (transposed first) and all axes', async (op, tolerance) => {
    // opset 17: ReduceSum's axes are an input, the others' an attribute
    const axesOf = (axes: number[]) =>
      op === 'ReduceSum'
        ? { inputs: ['x', 'axes'], initializers: [{ name: 'axes', dims: [axes.length], values: axes, type: 'int64' as const }], attrs: [] }
        : { inputs: ['x'], initializers: [], attrs: [intsAttr('axes', axes)] };
    const squared = op === 'ReduceSumSquare' ? ['mul'] : [];
    const last = axesOf([3]);
    await check(model([{ op, inputs: last.inputs, output: 'y', attrs: [...last.attrs, intAttr('keepdims', 0)] }], [2, 3], last.initializers), tolerance, [...squared, 'reduce']);
    const middle = axesOf([-2, 1]);
    await check(model([{ op, inputs: middle.inputs, output: 'y', attrs: middle.attrs }], [1, 1, 4], middle.initializers), tolerance * 2, [...squared, 'gather', 'reduce']);
    await check(model([{ op, inputs: ['x'], output: 'y', attrs: [intAttr('keepdims', 0)] }], []), tolerance * 6, [...squared, 'reduce']);
  });

  it('ArgMax and ArgMin give the first index of the extreme value on any axis, as an integer value', async () => {
    for (const op of ['ArgMax', 'ArgMin']) {
      const bytes = model(
        [
          { op, inputs: ['x'], output: 'i', attrs: [intAttr('axis', 2)] },
          { op: 'Cast', inputs: ['i'], output: 'y', attrs: [intAttr('to', 1)] },
        ],
        [2, 1, 4],
      );
      await check(bytes, 0, ['gather', 'reduce']);
    }
  });

  it('Softmax over a middle axis is a transpose, the softmax of the last axis, and the inverse transpose', async () => {
    const bytes = model([{ op: 'Softmax', inputs: ['x'], output: 'y', attrs: [intAttr('axis', 1)] }], DIMS);
    await check(bytes, 2 ** -7, ['gather', 'softmax', 'gather']);
  });

  it('keeps a Softmax that is not the final op, bit for bit', async () => {
    const bytes = model(
      [
        { op: 'Softmax', inputs: ['x'], output: 's' },
        { op: 'ReduceMax', inputs: ['s'], output: 'y', attrs: [intsAttr('axes', [3]), intAttr('keepdims', 0)] },
      ],
      [2, 3],
    );
    await check(bytes, 2 ** -7, ['softmax', 'reduce']);
  });

  it('refuses ArgMax with select_last_index by name', () => {
    const bytes = model([{ op: 'ArgMax', inputs: ['x'], output: 'y', attrs: [intAttr('axis', 1), intAttr('select_last_index', 1)] }], [2, 1, 4]);
    const error = engineErrorOf(() => importOnnx(bytes));
    expect(error.code).toBe('UNSUPPORTED_OP');
    expect(error.message).toContain('ArgMax at node "/ArgMax_0": select_last_index 1 is not supported');
  });
});
