import { buildFloatModel, compareWithFloat, exactGraphAndEvaluator, floatAttr, seededValues } from '../testing';
import { erf } from './erf';
import { buildUnaryPwl, evaluateUnaryPwl } from './unary-pwl';

const F = 14;

describe('generic PWL unary functions', () => {
  it('computes erf to about 1e-15 on both sides of the series / continued-fraction switch', () => {
    // reference values of erf (Abramowitz & Stegun tables)
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(-1)).toBeCloseTo(-0.8427007929497149, 14);
    // the two formulas agree where they meet
    expect(Math.abs(erf(2.4999999999) - erf(2.5))).toBeLessThan(1e-12);
    expect(erf(2.5)).toBeCloseTo(0.9995930479825550, 14);
    expect(erf(3.5)).toBeCloseTo(0.9999992569016276, 14);
  });

  it('returns the table at knots, the identity above an Elu table and a constant below it', () => {
    const elu = buildUnaryPwl('elu', 1, 0, F);
    expect(elu.table.values).toHaveLength(257);
    expect(evaluateUnaryPwl(elu, elu.table.loFixed + 2 ** elu.table.shiftBits * 5, F)).toBe(elu.table.values[5]);
    for (const x of [0, 1, 12345, 2 ** 30]) expect(evaluateUnaryPwl(elu, x, F)).toBe(x);
    expect(evaluateUnaryPwl(elu, -17 * 2 ** F, F)).toBe(elu.table.values[0]);
    expect(elu.table.values[0]).toBe(-(2 ** F));
  });

  it('scales by gamma above a Selu table (rescaled, half up) and saturates Exp above its domain', () => {
    const selu = buildUnaryPwl('selu', 1.6732632, 1.050701, F);
    expect(selu.aboveSlope).toBe(Math.round(1.050701 * 2 ** F));
    expect(evaluateUnaryPwl(selu, 3 * 2 ** F, F)).toBe(Math.floor((3 * 2 ** F * selu.aboveSlope + 2 ** (F - 1)) / 2 ** F));
    const exp = buildUnaryPwl('exp', 0, 0, F);
    expect(evaluateUnaryPwl(exp, 40 * 2 ** F, F)).toBe(exp.table.values[256]);
    expect(evaluateUnaryPwl(exp, -40 * 2 ** F, F)).toBe(0);
  });

  it.each([
    ['Exp', [], 2 ** -3, 4],
    ['Erf', [], 2 ** -10, 4],
    ['Elu', [floatAttr('alpha', 0.5)], 2 ** -9, 20],
    ['Selu', [], 2 ** -8, 20],
    ['Celu', [floatAttr('alpha', 2)], 2 ** -9, 20],
    ['Softplus', [], 2 ** -10, 20],
  ] as const)('%s matches the float model and the float64 graph bit for bit, inside and outside its table', async (op, attrs, tolerance, scale) => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['n', 16] },
      output: { name: 'y', dims: ['n', 16] },
      initializers: [],
      nodes: [{ op, inputs: ['x'], output: 'y', attrs: [...attrs] }],
    });
    const inputs = [seededValues(16, 1, scale), seededValues(16, 2, scale), [0, -0.5, 0.5, -scale, scale, ...seededValues(11, 3, 1)]];
    const result = await compareWithFloat(bytes, inputs, op === 'Exp' ? 12 : F);
    expect(result.model.steps.map((s) => s.op)).toEqual(['pwl']);
    // Exp: relative error h^2/8 = 2^-9 of e^4 ~ 55, plus rounding
    expect(result.maxAbsError).toBeLessThanOrEqual(tolerance);
    const { graph, evaluator } = await exactGraphAndEvaluator(result.model, inputs);
    expect(graph).toEqual(evaluator);
  });
});
