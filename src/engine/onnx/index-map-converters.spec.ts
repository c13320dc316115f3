import { buildFloatModel, compareWithFloat, engineErrorOf, exactGraphAndEvaluator, intAttr, intsAttr, seededValues, type FloatModelSpec } from '../testing';
import { importOnnx } from './onnx-import';

const F = 12;
/** Layout ops move values: the only error is the input's quantization, at most half a unit. */
const TOLERANCE = 2 ** -(F + 1);

function model(inputDims: number[], outputDims: number[], nodes: FloatModelSpec['nodes'], initializers: FloatModelSpec['initializers'] = []): Uint8Array {
  return buildFloatModel({ input: { name: 'x', dims: ['n', ...inputDims] }, output: { name: 'y', dims: ['n', ...outputDims] }, initializers, nodes });
}

async function expectExact(bytes: Uint8Array, inputLength: number, expectedOps: string[], tolerance = TOLERANCE): Promise<void> {
  const inputs = [seededValues(inputLength, 3, 2), seededValues(inputLength, 4, 2)];
  const result = await compareWithFloat(bytes, inputs, F);
  expect(result.model.steps.map((s) => s.op)).toEqual(expectedOps);
  expect(result.maxAbsError).toBeLessThanOrEqual(tolerance);
  const { graph, evaluator } = await exactGraphAndEvaluator(result.model, inputs);
  expect(graph).toEqual(evaluator);
}

const i64 = (name: string, values: number[]) => ({ name, dims: [values.length], values, type: 'int64' as const });

describe('layout ops as index maps', () => {
  it('Transpose permutes axes (and reverses them without perm)', async () => {
    await expectExact(model([2, 3, 4], [4, 2, 3], [{ op: 'Transpose', inputs: ['x'], output: 'y', attrs: [intsAttr('perm', [0, 3, 1, 2])] }]), 24, ['gather']);
    await expectExact(model([2, 3], [3, 2, 1], [{ op: 'Transpose', inputs: ['x'], output: 'y' }]), 6, ['gather']);
  });

  it('Slice with negative starts, clamped ends and a negative step', async () => {
    const bytes = model(
      [4, 6],
      [2, 6],
      [{ op: 'Slice', inputs: ['x', 'starts', 'ends', 'axes', 'steps'], output: 'y' }],
      [i64('starts', [-1, 5]), i64('ends', [-10, -(2 ** 40)]), i64('axes', [1, 2]), i64('steps', [-2, -1])],
    );
    // axis 1: 3, 1 (start -1 -> 3, end -10 clamped to -1); axis 2: 5 down to 0 (end clamped to -1)
    await expectExact(bytes, 24, ['gather']);
  });

  it('Split binds every read output to its own gather', async () => {
    const bytes = model(
      [5, 2],
      [3, 2],
      [
        { op: 'Split', inputs: ['x', 'sizes'], output: 'a', outputs: ['a', 'b'], attrs: [intAttr('axis', 1)] },
        { op: 'Sub', inputs: ['b', 'a'], output: 'y' },
      ],
      [i64('sizes', [2, 3])],
    );
    await expect(expectExact(bytes, 10, [])).rejects.toThrow(/do not broadcast/);
    const even = model(
      [6, 2],
      [3, 2],
      [
        { op: 'Split', inputs: ['x'], output: 'a', outputs: ['a', 'b'], attrs: [intAttr('axis', 1)] },
        { op: 'Sub', inputs: ['b', 'a'], output: 'y' },
      ],
    );
    await expectExact(even, 12, ['gather', 'gather', 'sub'], 2 ** -F);
  });

  it('Expand and Tile repeat values', async () => {
    await expectExact(model([3, 1], [2, 3, 4], [{ op: 'Expand', inputs: ['x', 'shape'], output: 'y' }], [i64('shape', [2, 1, 4])]), 3, ['gather']);
    await expectExact(model([2, 3], [4, 6], [{ op: 'Tile', inputs: ['x', 'reps'], output: 'y' }], [i64('reps', [1, 2, 2])]), 6, ['gather']);
  });

  it('Concat of slices of one tensor with constants: a gather and an addConst', async () => {
    const bytes = model(
      [4],
      [11],
      [
        { op: 'Slice', inputs: ['x', 's0', 'e0', 'ax'], output: 'head' },
        { op: 'Concat', inputs: ['head', 'c', 'x', 'head'], output: 'y', attrs: [intAttr('axis', 1)] },
      ],
      [i64('s0', [1]), i64('e0', [3]), i64('ax', [1]), { name: 'c', dims: [1, 3], values: [0.5, -1.25, 3] }],
    );
    await expectExact(bytes, 4, ['gather', 'gather', 'addConst']);
    const uniform = model([4], [6], [{ op: 'Concat', inputs: ['x', 'c'], output: 'y', attrs: [intAttr('axis', 1)] }], [{ name: 'c', dims: [1, 2], values: [0.75, 0.75] }]);
    await expectExact(uniform, 4, ['gather']);
  });

  it('refuses Concat of two unrelated activations by name', () => {
    const bytes = model(
      [4],
      [8],
      [
        { op: 'Relu', inputs: ['x'], output: 'r' },
        { op: 'Concat', inputs: ['x', 'r'], output: 'y', attrs: [intAttr('axis', 1)] },
      ],
    );
    const error = engineErrorOf(() => importOnnx(bytes));
    expect(error.code).toBe('UNSUPPORTED_OP');
    expect(error.message).toContain('Concat at node "/Concat_1"');
  });

  it('Trilu keeps the upper or lower triangle with a diagonal offset', async () => {
    await expectExact(model([3, 4], [3, 4], [{ op: 'Trilu', inputs: ['x', 'k'], output: 'y', attrs: [intAttr('upper', 1)] }], [i64('k', [1])]), 12, ['gather']);
    await expectExact(model([2, 4, 3], [2, 4, 3], [{ op: 'Trilu', inputs: ['x'], output: 'y', attrs: [intAttr('upper', 0)] }]), 24, ['gather']);
  });

  it('1-D AveragePool and MaxPool are 2-D pools on [N, C, 1, L]', async () => {
    await expectExact(
      model([2, 9], [2, 4], [{ op: 'AveragePool', inputs: ['x'], output: 'y', attrs: [intsAttr('kernel_shape', [3]), intsAttr('strides', [2]), intsAttr('pads', [1, 0])] }]),
      18,
      ['reshape', 'avgPool', 'reshape'],
      2 ** -(F - 2),
    );
    await expectExact(
      model([2, 9], [2, 7], [{ op: 'MaxPool', inputs: ['x'], output: 'y', attrs: [intsAttr('kernel_shape', [3])] }]),
      18,
      ['reshape', 'maxPool', 'reshape'],
    );
  });
});
