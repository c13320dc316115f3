import { buildFloatModel, compareWithFloat, exactGraphAndEvaluator, floatAttr, intAttr, intsAttr, seededValues } from '../testing';

const INPUTS = [seededValues(24, 21, 2), seededValues(24, 22, 0.5), seededValues(24, 23, 3).map((v) => v + 1)];

async function check(bytes: Uint8Array, tolerance: number): Promise<string[]> {
  const result = await compareWithFloat(bytes, INPUTS);
  expect(result.maxAbsError).toBeLessThanOrEqual(tolerance);
  const { graph, evaluator } = await exactGraphAndEvaluator(result.model, [...INPUTS, seededValues(24, 24, 3), new Array<number>(24).fill(0.5)]);
  expect(graph).toEqual(evaluator);
  return result.model.steps.map((s) => s.op);
}

describe('normalizations as composed steps (section 3.6)', () => {
  it('LayerNormalization over the last two axes, with scale and bias', async () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['n', 2, 3, 4] },
      output: { name: 'y', dims: ['n', 2, 3, 4] },
      initializers: [
        { name: 'scale', dims: [3, 4], values: seededValues(12, 25, 1.5) },
        { name: 'bias', dims: [3, 4], values: seededValues(12, 26, 0.5) },
      ],
      nodes: [{ op: 'LayerNormalization', inputs: ['x', 'scale', 'bias'], output: 'y', attrs: [intAttr('axis', -2), floatAttr('epsilon', 1e-5)] }],
    });
    expect(await check(bytes, 2 ** -8)).toEqual(['reduce', 'gather', 'sub', 'reduce', 'mul', 'affine', 'sqrt', 'gather', 'div', 'affine']);
  });

  it('InstanceNormalization per channel over the spatial axes', async () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['n', 3, 2, 4] },
      output: { name: 'y', dims: ['n', 3, 2, 4] },
      initializers: [
        { name: 'scale', dims: [3], values: [1.5, -0.5, 1] },
        { name: 'b', dims: [3], values: [0.25, 0, -1] },
      ],
      nodes: [{ op: 'InstanceNormalization', inputs: ['x', 'scale', 'b'], output: 'y', attrs: [floatAttr('epsilon', 1e-3)] }],
    });
    expect(await check(bytes, 2 ** -8)).toContain('div');
  });

  it('the PyTorch decomposition (ReduceMean, Sub, Pow 2, ReduceMean, Add, Sqrt, Div) imports op by op', async () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['n', 6, 4] },
      output: { name: 'y', dims: ['n', 6, 4] },
      initializers: [
        { name: 'two', dims: [], values: [2] },
        { name: 'eps', dims: [], values: [1e-5] },
        { name: 'gamma', dims: [4], values: [1.25, 0.75, -1, 0.5] },
      ],
      nodes: [
        { op: 'ReduceMean', inputs: ['x'], output: 'm', attrs: [intsAttr('axes', [-1])] },
        { op: 'Sub', inputs: ['x', 'm'], output: 'd' },
        { op: 'Pow', inputs: ['d', 'two'], output: 'p' },
        { op: 'ReduceMean', inputs: ['p'], output: 'v', attrs: [intsAttr('axes', [-1])] },
        { op: 'Add', inputs: ['v', 'eps'], output: 've' },
        { op: 'Sqrt', inputs: ['ve'], output: 's' },
        { op: 'Div', inputs: ['d', 's'], output: 'n' },
        { op: 'Mul', inputs: ['n', 'gamma'], output: 'y' },
      ],
    });
    // squaring each rounded d costs precision on small deviations (the composed steps use the L2 norm instead)
    expect(await check(bytes, 2 ** -6)).toEqual(['reduce', 'gather', 'sub', 'mul', 'reduce', 'addConst', 'sqrt', 'gather', 'div', 'affine']);
  });
});
