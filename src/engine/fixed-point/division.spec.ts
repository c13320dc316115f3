import { buildFloatModel, compareWithFloat, exactGraphAndEvaluator, intAttr, seededValues, type FloatModelSpec } from '../testing';
import { divFixed, floorQuotient } from './division';

/** floor(n / d) in BigInt (BigInt division truncates toward zero). */
function floorReference(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n !== d < 0n ? q - 1n : q;
}

describe('division rule (section 3.5)', () => {
  it('floors the real quotient for every sign and gives 0 for a zero divisor', () => {
    // F = 2: a 2^F / b
    expect([[3, 2], [-3, 2], [3, -2], [-3, -2], [4, 4], [1, 3], [-1, 3], [5, 0], [0, -7]].map(([a, b]) => divFixed(a, b, 2))).toEqual([
      6, -6, -6, 6, 4, 1, -2, 0, 0,
    ]);
  });

  it('is exact in float64 for numerators just below 2^52 and divisors that make the quotient nearly an integer', () => {
    const numerators = [2 ** 52 - 1, 2 ** 52 - 2, 2 ** 52 - 3, 3 * 2 ** 50 + 1, 2 ** 51 + 1];
    const divisors = [1, 2, 3, 7, 2 ** 26 - 1, 2 ** 26 + 1, 2 ** 51 - 1, 2 ** 52 - 3, 2 ** 52 - 2];
    for (const n of numerators)
      for (const d of divisors)
        for (const [sn, sd] of [[1, 1], [-1, 1], [1, -1], [-1, -1]]) {
          const expected = Number(floorReference(BigInt(sn * n), BigInt(sd * d)));
          expect([sn * n, sd * d, floorQuotient(sn * n, sd * d)]).toEqual([sn * n, sd * d, expected]);
        }
  });
});

describe('Div of two activations and Reciprocal against the float model and the float64 graph', () => {
  const F = 12;
  const INDEX = (name: string, i: number) => ({ name, dims: [], values: [i], type: 'int64' as const });
  const divModel = buildFloatModel({
    input: { name: 'x', dims: ['n', 2, 8] },
    output: { name: 'y', dims: ['n', 8] },
    initializers: [INDEX('i0', 0), INDEX('i1', 1)],
    nodes: [
      { op: 'Gather', inputs: ['x', 'i0'], output: 'a', attrs: [intAttr('axis', 1)] },
      { op: 'Gather', inputs: ['x', 'i1'], output: 'b', attrs: [intAttr('axis', 1)] },
      { op: 'Div', inputs: ['a', 'b'], output: 'y' },
    ],
  });
  /** Divisors away from 0 (|b| in [0.5, 2]) for the accuracy check; a/b with rounding of b to 2^-F. */
  const divisors = (seed: number) => seededValues(8, seed, 0.75).map((v) => Math.sign(v || 1) * (Math.abs(v) + 0.5));
  const pair = (a: number[], b: number[]) => [...a, ...b];

  it('Div(a, b) floors a 2^F / b and gives 0 where b is 0', async () => {
    const inputs = [pair(seededValues(8, 1, 3), divisors(2)), pair(seededValues(8, 3, 3), divisors(4))];
    const result = await compareWithFloat(divModel, inputs, F);
    expect(result.model.steps.map((s) => s.op)).toEqual(['gather', 'gather', 'div']);
    // |a/b^2| 2^-(F+1) for b's rounding (<= 3 / 0.25 2^-13) plus 2^-F for a's rounding and the floor
    expect(result.maxAbsError).toBeLessThanOrEqual(12 * 2 ** -(F + 1) + 2 * 2 ** -F);
    const zeros = pair([1, -1, 0, 2.5, -3, 0.25, 1, -2], [0, 0, 0, 1e-9, -1e-9, 2 ** -F, -(2 ** -F), 3 * 2 ** -F]);
    const { graph, evaluator } = await exactGraphAndEvaluator(result.model, [...inputs, zeros]);
    expect(graph).toEqual(evaluator);
    expect(evaluator[2].slice(0, 5)).toEqual([0n, 0n, 0n, 0n, 0n]);
  });

  it('Reciprocal and Div of a scalar constant by x are one reciprocal step', async () => {
    const cases: [FloatModelSpec['nodes'], FloatModelSpec['initializers']][] = [
      [[{ op: 'Reciprocal', inputs: ['x'], output: 'y' }], []],
      [[{ op: 'Div', inputs: ['c', 'x'], output: 'y' }], [{ name: 'c', dims: [], values: [-1.5] }]],
    ];
    for (const [nodes, initializers] of cases) {
      const bytes = buildFloatModel({ input: { name: 'x', dims: ['n', 8] }, output: { name: 'y', dims: ['n', 8] }, initializers, nodes });
      const inputs = [divisors(5), divisors(6)];
      const result = await compareWithFloat(bytes, inputs, F);
      expect(result.model.steps.map((s) => s.op)).toEqual(['reciprocal']);
      expect(result.maxAbsError).toBeLessThanOrEqual(1.5 * 4 * 2 ** -(F + 1) + 2 ** -F);
      const { graph, evaluator } = await exactGraphAndEvaluator(result.model, [...inputs, [0, 1e-9, 2 ** -F, -(2 ** -F), 3, -3, 0.5, 1]]);
      expect(graph).toEqual(evaluator);
    }
  });
});
