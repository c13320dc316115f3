import { ceilToUnit, compareUnit, floorToUnit, roundToUnit, signUnit } from '../fixed-point/elementwise';
import { buildFloatModel, compareWithFloat, engineErrorOf, exactGraphAndEvaluator, floatAttr, seededValues, type FloatModelSpec } from '../testing';
import { importOnnx } from './onnx-import';

const F = 12;

function model(nodes: FloatModelSpec['nodes'], initializers: FloatModelSpec['initializers'] = [], dims = [8]): Uint8Array {
  return buildFloatModel({ input: { name: 'x', dims: ['n', ...dims] }, output: { name: 'y', dims: ['n', ...dims] }, initializers, nodes });
}

const scalar = (name: string, value: number) => ({ name, dims: [], values: [value] });

/** Ties of every rounding rule (k + 1/2 for negative and positive k), zero, and random values. */
const TIES = [2.5, -2.5, 0.5, -0.5, 1.5, -1.5, 0, 3.25];
const INPUTS = [TIES, seededValues(8, 5, 3), seededValues(8, 6, 3)];

async function check(bytes: Uint8Array, tolerance: number, expectedOps: string[]): Promise<void> {
  const result = await compareWithFloat(bytes, INPUTS, F);
  expect(result.model.steps.map((s) => s.op)).toEqual(expectedOps);
  expect(result.maxAbsError).toBeLessThanOrEqual(tolerance);
  const { graph, evaluator } = await exactGraphAndEvaluator(result.model, INPUTS);
  expect(graph).toEqual(evaluator);
}

describe('exact integer elementwise rules', () => {
  it('floors and ceils to whole units toward minus and plus infinity', () => {
    // F = 2: one real unit is 4
    expect([-5, -4, -1, 0, 1, 4, 7].map((x) => floorToUnit(x, 2))).toEqual([-8, -4, -4, 0, 0, 4, 4]);
    expect([-5, -4, -1, 0, 1, 4, 7].map((x) => ceilToUnit(x, 2) + 0)).toEqual([-4, -4, 0, 0, 4, 4, 8]);
  });

  it('rounds half to even, for negative values too', () => {
    // 2 = 0.5 -> 0, 6 = 1.5 -> 2, 10 = 2.5 -> 2, -2 = -0.5 -> 0, -6 = -1.5 -> -2, -10 = -2.5 -> -2
    expect([2, 6, 10, -2, -6, -10, 3, -3, 5, -5].map((x) => roundToUnit(x, 2) + 0)).toEqual([0, 8, 8, 0, -8, -8, 4, -4, 4, -4]);
  });

  it('gives signs and comparisons as 0 and 2^F', () => {
    expect([-3, 0, 7].map((x) => signUnit(x, 4))).toEqual([-16, 0, 16]);
    expect(compareUnit('less', 1, 2, 4)).toBe(16);
    expect(compareUnit('lessOrEqual', 2, 2, 4)).toBe(16);
    expect(compareUnit('greater', 2, 2, 4)).toBe(0);
    expect(compareUnit('greaterOrEqual', -1, 2, 4)).toBe(0);
    expect(compareUnit('equal', -2, -2, 4)).toBe(16);
  });
});

describe('elementwise ops against the float model and the float64 graph', () => {
  it('Abs, Neg, Sign, Floor, Ceil and Round (ties to even) are exact on exact inputs', async () => {
    for (const [op, steps] of [
      ['Abs', ['abs']],
      ['Neg', ['affine']],
      ['Sign', ['sign']],
      ['Floor', ['floor']],
      ['Ceil', ['ceil']],
      ['Round', ['round']],
    ] as const) {
      // random inputs are rounded to 2^-F first, so their floor/round may differ from the float's by one unit
      // only when x is within 2^-(F+1) of a boundary; the seeds here stay clear of that
      await check(model([{ op, inputs: ['x'], output: 'y' }]), 2 ** -(F + 1), [...steps]);
    }
  });

  it('Mul of two activations rescales the product, with broadcasting', async () => {
    await check(model([{ op: 'Tanh', inputs: ['x'], output: 't' }, { op: 'Mul', inputs: ['x', 't'], output: 'y' }]), 2 ** -6, ['tanh', 'mul']);
    const broadcast = buildFloatModel({
      input: { name: 'x', dims: ['n', 2, 4] },
      output: { name: 'y', dims: ['n', 2, 4] },
      initializers: [
        { name: 's', dims: [1], values: [0], type: 'int64' },
        { name: 'e', dims: [1], values: [1], type: 'int64' },
        { name: 'a', dims: [1], values: [1], type: 'int64' },
      ],
      nodes: [
        { op: 'Slice', inputs: ['x', 's', 'e', 'a'], output: 'row' },
        { op: 'Mul', inputs: ['x', 'row'], output: 'y' },
      ],
    });
    await check(broadcast, 2 ** -9, ['gather', 'gather', 'mul']);
  });

  it('Pow with a small integer exponent is a chain of products; other exponents are refused by name', async () => {
    await check(model([{ op: 'Pow', inputs: ['x', 'e'], output: 'y' }], [scalar('e', 3)]), 2 ** -6, ['mul', 'mul']);
    await check(model([{ op: 'Pow', inputs: ['x', 'e'], output: 'y' }], [scalar('e', 4)]), 2 ** -4, ['mul', 'mul']);
    const error = engineErrorOf(() => importOnnx(model([{ op: 'Pow', inputs: ['x', 'e'], output: 'y' }], [scalar('e', 0.5)])));
    expect(error.message).toContain('Pow at node "/Pow_0": exponent 0.5 is not supported');
  });

  it('comparisons with a constant or a second activation, Not, And and Where', async () => {
    await check(model([{ op: 'Less', inputs: ['x', 'c'], output: 'b' }, { op: 'Cast', inputs: ['b'], output: 'y', attrs: [intTo(1)] }], [scalar('c', 0.5)]), 0, ['compareConst']);
    await check(model([{ op: 'Greater', inputs: ['c', 'x'], output: 'b' }, { op: 'Cast', inputs: ['b'], output: 'y', attrs: [intTo(1)] }], [scalar('c', -1.5)]), 0, ['compareConst']);
    for (const op of ['Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'Equal']) {
      const bytes = model([
        { op: 'Floor', inputs: ['x'], output: 'f' },
        { op, inputs: ['f', 'x'], output: 'b' },
        { op: 'Cast', inputs: ['b'], output: 'y', attrs: [intTo(1)] },
      ]);
      await check(bytes, 0, ['floor', 'compare']);
    }
    const logic = model([
      { op: 'Less', inputs: ['x', 'c'], output: 'b1' },
      { op: 'Greater', inputs: ['x', 'd'], output: 'b2' },
      { op: 'Not', inputs: ['b1'], output: 'n1' },
      { op: 'And', inputs: ['n1', 'b2'], output: 'a' },
      { op: 'Relu', inputs: ['x'], output: 'r' },
      { op: 'Where', inputs: ['a', 'x', 'r'], output: 'w' },
      { op: 'Where', inputs: ['b1', 'w', 'c'], output: 'y' },
    ], [scalar('c', 1), scalar('d', -1)]);
    await check(logic, 2 ** -(F + 1), ['compareConst', 'compareConst', 'compareConst', 'mul', 'relu', 'sub', 'mul', 'add', 'addConst', 'mul', 'addConst']);
  });

  it('refuses Where on a condition that is not a comparison, naming the node', () => {
    const error = engineErrorOf(() => importOnnx(model([{ op: 'Where', inputs: ['x', 'x', 'x'], output: 'y' }])));
    expect(error.code).toBe('UNSUPPORTED_OP');
    expect(error.message).toContain('Where at node "/Where_0": input 0 must be a comparison result');
  });

  it('HardSigmoid and HardSwish are an affine, a clip (and a product)', async () => {
    await check(model([{ op: 'HardSigmoid', inputs: ['x'], output: 'y', attrs: [floatAttr('alpha', 0.25), floatAttr('beta', 0.5)] }]), 2 ** -(F - 1), ['affine', 'clip']);
    await check(model([{ op: 'HardSwish', inputs: ['x'], output: 'y' }]), 2 ** -(F - 3), ['affine', 'clip', 'mul']);
  });
});

function intTo(to: number) {
  return { name: 'to', type: 2, i: to };
}
