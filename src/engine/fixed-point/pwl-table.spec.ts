import { EXP_TABLE_DOMAIN, SIGMOID_TABLE_DOMAIN, TANH_TABLE_DOMAIN } from '../engine.constants';
import { type PwlTable, buildPwlTable, evaluatePwl } from './pwl-table';

const F = 12;

describe('piecewise-linear tables', () => {
  const sigmoid = buildPwlTable('sigmoid', SIGMOID_TABLE_DOMAIN, F);
  const exp = buildPwlTable('exp', EXP_TABLE_DOMAIN, F);

  it('has one value per knot with the documented sizes', () => {
    expect(sigmoid.values).toHaveLength(16 * 8 + 1);
    expect(buildPwlTable('tanh', TANH_TABLE_DOMAIN, F).values).toHaveLength(8 * 16 + 1);
    expect(exp.values).toHaveLength(16 * 16 + 1);
    expect(exp.aboveValue).toBe(2 ** F);
  });

  it('returns the table value exactly at every knot, including negative knots', () => {
    sigmoid.values.slice(0, -1).forEach((v, i) => expect(evaluatePwl(sigmoid, sigmoid.loFixed + i * 2 ** sigmoid.shiftBits)).toBe(v));
  });

  it('clamps below the domain to v_0 for sigmoid and to 0 for exp, and at hi to v_n', () => {
    expect(evaluatePwl(sigmoid, -9 * 2 ** F)).toBe(sigmoid.values[0]);
    expect(evaluatePwl(exp, -17 * 2 ** F)).toBe(0);
    expect(evaluatePwl(exp, 0)).toBe(2 ** F);
    expect(evaluatePwl(sigmoid, 8 * 2 ** F)).toBe(sigmoid.values.at(-1));
  });

  it('interpolates with a floor shift, rounding toward minus infinity for a decreasing segment', () => {
    const table: PwlTable = { fn: 'exp', loFixed: -16, hiFixed: 16, stepLog2: 0, shiftBits: 4, values: [10, 3, 5], belowValue: 0, aboveValue: 5 };
    // segment 0: 10 + floor((3 - 10) * t / 16); t = 1 -> 10 + floor(-7/16) = 9
    expect(evaluatePwl(table, -15)).toBe(9);
    // t = 8 -> 10 + floor(-56/16) = 10 - 4 = 6
    expect(evaluatePwl(table, -8)).toBe(6);
    // segment 1 at x = 8: 3 + floor(2 * 8 / 16) = 4
    expect(evaluatePwl(table, 8)).toBe(4);
  });

  it('stays within one fixed-point unit of sigmoid at the midpoint of a segment', () => {
    const x = 0.0625;
    const y = evaluatePwl(sigmoid, Math.round(x * 2 ** F)) / 2 ** F;
    expect(Math.abs(y - 1 / (1 + Math.exp(-x)))).toBeLessThan(2 ** -8);
  });
});
