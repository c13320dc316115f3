import { buildFloatModel, compareWithFloat, exactGraphAndEvaluator, intAttr, intsAttr, seededValues } from '../testing';
import { isqrt, sqrtFixed } from './sqrt';

/** floor(sqrt(v)) in BigInt (Newton from above), the reference. */
function isqrtReference(v: bigint): bigint {
  if (v < 2n) return v;
  let x = v;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + v / x) / 2n;
  }
  return x;
}

describe('exact integer square root (section 3.4)', () => {
  it('is floor(sqrt(v)) on perfect squares, squares minus one and plus one, up to 2^53', () => {
    const ks = [1, 2, 3, 255, 256, 4095, 2 ** 20 + 7, 2 ** 25 - 1, 2 ** 25 + 1, 2 ** 26 - 1, 2 ** 26, 2 ** 26 + 1, 94906265];
    for (const k of ks) {
      for (const v of [k * k - 1, k * k, k * k + 1, k * k + 2 * k]) {
        if (v >= 2 ** 53) continue;
        expect([v, isqrt(v)]).toEqual([v, Number(isqrtReference(BigInt(v)))]);
      }
    }
    for (const v of [0, 1, 2, 3, 2 ** 52 - 1, 2 ** 52, 2 ** 53 - 1]) expect(isqrt(v)).toBe(Number(isqrtReference(BigInt(v))));
  });

  it('corrects Math.sqrt where it rounds up across an integer (k^2 - 1 for k just above 2^26)', () => {
    const k = 2 ** 26 + 1;
    // the correctly rounded float sqrt of k^2 - 1 is k: the correction is what makes isqrt exact
    expect(Math.floor(Math.sqrt(k * k - 1))).toBe(k);
    expect(isqrt(k * k - 1)).toBe(k - 1);
  });

  it('gives 0 for x <= 0 and floor(sqrt(x 2^F)) otherwise', () => {
    expect([-5, 0, 1, 4, 16].map((x) => sqrtFixed(x, 4))).toEqual([0, 0, 4, 8, 16]);
  });
});

describe('Sqrt and ReduceL2 against the float model and the float64 graph', () => {
  const F = 16;
  const sqrtModel = (n: number) =>
    buildFloatModel({ input: { name: 'x', dims: ['n', n] }, output: { name: 'y', dims: ['n', n] }, initializers: [], nodes: [{ op: 'Sqrt', inputs: ['x'], output: 'y' }] });

  it('Sqrt is exact at perfect squares, squares minus one and near the bound, and within 2^-F elsewhere', async () => {
    // at F = 16 the input bound is 2^19 real (2^35 fixed), so x 2^F < 2^51 stays below 2^52
    const unit = 2 ** -F;
    const square = (k: number) => (k * k) / 2 ** F; // fixed x with x 2^F = k^2 needs 2^8 | k
    const squareMinusOne = (m: number, sign: 1 | -1) => {
      const k = m * 2 ** (F - 1) + sign; // (k - 1)(k + 1) is a multiple of 2^F
      return ((k * k - 1) / 2 ** F) * unit;
    };
    const edges = [
      square(2 ** 8) * unit,
      square((2 ** 17 - 1) * 2 ** 8) * unit,
      squareMinusOne(1023, 1),
      squareMinusOne(1023, -1),
      squareMinusOne(3, 1),
      2 ** 18 - unit,
      unit,
      0,
    ];
    const moderate = [...seededValues(4, 3, 2).map(Math.abs), 0.25, 2, 1e-3, 9];
    const inputs = [edges, moderate];
    const result = await compareWithFloat(sqrtModel(8), inputs, F);
    expect(result.model.fractionBits).toBe(F);
    expect(result.model.steps.map((s) => s.op)).toEqual(['sqrt']);
    // on moderate inputs: 2^-F for the floor, plus the input's rounding to 2^-F through sqrt' = 1/(2 sqrt x)
    // (x = 1e-3: 2^-17 / 0.063); the edges near 2^18 are float32 in the float model, so only exactness is checked there
    const moderateError = Math.max(...result.quantized[1].map((v, i) => Math.abs(v - result.float[1][i])));
    expect(moderateError).toBeLessThanOrEqual(2 ** -F + 2 ** -17 / (2 * Math.sqrt(1e-3)));
    // bit-exact at the edges: floor(sqrt(x 2^F)) of x 2^F = k^2 is k, of k^2 - 1 is k - 1
    expect(result.quantized[0].slice(0, 5).map((v) => v * 2 ** F)).toEqual([2 ** 8, (2 ** 17 - 1) * 2 ** 8, 1023 * 2 ** 15, 1023 * 2 ** 15 - 2, 3 * 2 ** 15]);
    const { graph, evaluator } = await exactGraphAndEvaluator(result.model, [...inputs, [-1, -unit, ...seededValues(6, 4, 2 ** 18)]]);
    expect(graph).toEqual(evaluator);
  });

  it('ReduceL2 is the integer square root of the exact sum of squares', async () => {
    const bytes = buildFloatModel({
      input: { name: 'x', dims: ['n', 2, 3, 4] },
      output: { name: 'y', dims: ['n', 2, 4] },
      initializers: [],
      nodes: [{ op: 'ReduceL2', inputs: ['x'], output: 'y', attrs: [intsAttr('axes', [2]), intAttr('keepdims', 0)] }],
    });
    const inputs = [seededValues(24, 5, 3), seededValues(24, 6, 0.01), [3, 4, 0, ...seededValues(21, 7, 1)]];
    const result = await compareWithFloat(bytes, inputs, 12);
    expect(result.model.steps.map((s) => s.op)).toEqual(['gather', 'reduce']);
    // the second input's values near 0.01 carry their rounding to 2^-12 into the norm
    expect(result.maxAbsError).toBeLessThanOrEqual(2 ** -10);
    const { graph, evaluator } = await exactGraphAndEvaluator(result.model, [...inputs, seededValues(24, 8, 4)]);
    expect(graph).toEqual(evaluator);
  });
});
