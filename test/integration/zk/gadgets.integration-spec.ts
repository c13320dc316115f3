/**
 * Soundness of circuits/lib/fixed-point.circom and PackRange / CommitSignedVector: honest
 * witnesses satisfy the R1CS and equal the engine's own fixed-point functions; witnesses forged as
 * a cheating prover would build them (every relation it can keep, kept) violate the R1CS; inputs
 * outside a gadget's range have no witness at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKernel, type KernelContext } from '../../../src/engine/evaluator/evaluator-kernels';
import type { PreparedStep } from '../../../src/engine/evaluator/prepared-model';
import { rescaleBig } from '../../../src/engine/fixed-point/fixed-point-arith';
import type { QuantStep } from '../../../src/engine/quantize/quantized-model.types';
import { CIRCUITS_LIB_DIR } from '../../../src/zk/circom-compiler';
import { commitSignedVector, packRange } from '../../../src/zk/poseidon-commitment';
import {
  bitWires,
  compileHarness,
  harnessSource,
  inverseModP,
  modP,
  rescaleCoreWires,
  signedRangeWires,
  type HarnessCircuit,
} from '../../support/zk-circuit-harness';

/** Values lo..hi (inclusive) with the given stride, plus every value in [-around, around]. */
function sweep(lo: number, hi: number, stride: number, around: number): bigint[] {
  const values = new Set<number>();
  for (let v = lo; v <= hi; v += stride) values.add(v);
  for (let v = -around; v <= around; v++) if (v >= lo && v <= hi) values.add(v);
  for (const edge of [lo, lo + 1, hi - 1, hi]) values.add(edge);
  return [...values].sort((a, b) => a - b).map(BigInt);
}

/** The i-th element of a list, cycling. */
const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];

/** floor((x + 2^(S-1)) / 2^S) and the remainder, from the engine's rescale. */
function quotientAndRemainder(x: bigint, S: number): { q: bigint; r: bigint } {
  const q = rescaleBig(x, S);
  return { q, r: x + (1n << BigInt(S - 1)) - q * (1n << BigInt(S)) };
}

async function expectNoWitness(h: HarnessCircuit, input: Record<string, unknown>): Promise<void> {
  await expect(h.witness(input)).rejects.toMatchObject({ code: 'WITNESS_FAILED', message: expect.stringMatching(/Assert Failed/) });
}

/** The engine's own kernel for one activation step, at fraction bits S. */
function engineActivation(step: QuantStep, params: number[], x: bigint, S: number): bigint {
  const prepared: PreparedStep = {
    step,
    params: Float64Array.from(params),
    extra: new Float64Array(0),
    map: new Int32Array(0),
    outputBound: Number.POSITIVE_INFINITY,
    accumulatorBound: Number.POSITIVE_INFINITY,
  };
  const ctx: KernelContext = { fractionBits: S, half: 2 ** (S - 1), inverseScale: 2 ** -S };
  return BigInt(runKernel(prepared, [Float64Array.of(Number(x))], ctx)[0]);
}

const base = { name: 'g', onnxOp: 'test', inputs: [0], outShape: [1] };
const reluStep: QuantStep = { ...base, op: 'relu' };
const leakyStep = (alpha: number): QuantStep => ({ ...base, op: 'leakyRelu', alpha });
const clipStep = (min: number | null, max: number | null): QuantStep => ({ ...base, op: 'clip', min, max });

describe('Rescale, RescaleRelu and SignedRange', () => {
  let h: HarnessCircuit;
  const zeros = () => [0n, 0n, 0n, 0n, 0n, 0n];
  const run = (x: bigint[]) => h.witness({ x });

  beforeAll(async () => {
    h = await compileHarness(
      'gadgets_rescale',
      harnessSource(
        'signal input x[6]; signal output y[6];',
        [
          'component rs1 = Rescale(1, 8); rs1.in <== x[0]; y[0] <== rs1.out;',
          'component rs2 = Rescale(2, 8); rs2.in <== x[1]; y[1] <== rs2.out;',
          'component rs = Rescale(4, 8); rs.in <== x[2]; y[2] <== rs.out;',
          'component rr = RescaleRelu(4, 8); rr.in <== x[3]; y[3] <== rr.out;',
          'component wide = Rescale(8, 240); wide.in <== x[4]; y[4] <== wide.out;',
          'component sr = SignedRange(8); sr.in <== x[5]; y[5] <== sr.nonNegative;',
        ].join('\n'),
      ),
    );
  });

  it('costs S + n per Rescale, S + n + 1 per RescaleRelu and n per SignedRange', () => {
    expect(h.compiled.info.nonLinearConstraints).toBe(1 + 8 + (2 + 8) + (4 + 8) + (4 + 8 + 1) + (8 + 240) + 8);
  });

  it('rounds exact halves up and floors negatives, as docs/semantics.md says', async () => {
    const w1 = await run([3n, 0n, 0n, 0n, 0n, 0n]);
    const w2 = await run([-3n, -7n, 0n, 0n, 0n, 0n]);
    expect([h.value(w1, 'main.y[0]'), h.value(w2, 'main.y[0]'), h.value(w2, 'main.y[1]')]).toEqual([2n, -1n, -2n]);
    expect(h.accepts(w1) && h.accepts(w2)).toBe(true);
  });

  it('equals the engine rescale near zero, on a sweep of the whole range and at the ±2^(n-1) quotient edges', async () => {
    const s1 = sweep(-257, 254, 3, 40);
    const s2 = sweep(-514, 509, 5, 40);
    const s4 = sweep(-2056, 2039, 7, 300);
    const signed = sweep(-128, 127, 1, 0);
    for (let i = 0; i < s4.length; i++) {
      const x = [pick(s1, i), pick(s2, i), s4[i], pick(s4, i * 7 + 3), 0n, pick(signed, i)];
      const w = await run(x);
      expect(h.accepts(w)).toBe(true);
      const relu = engineActivation(reluStep, [], rescaleBig(x[3], 4), 4);
      const expected = [rescaleBig(x[0], 1), rescaleBig(x[1], 2), rescaleBig(x[2], 4), relu, 0n, x[5] >= 0n ? 1n : 0n];
      expect(expected.map((_, j) => h.value(w, `main.y[${j}]`))).toEqual(expected);
    }
  });

  it('rescales values near ±2^247 at n = 240 (the witness hint handles negatives explicitly)', async () => {
    const top = 1n << 247n;
    const values = [top - 129n, -top - 128n, (1n << 246n) + 12345n, -(1n << 246n) - 12345n, -(1n << 200n) - 1n, -128n, -129n];
    for (const value of values) {
      const w = await run([0n, 0n, 0n, 0n, value, 0n]);
      expect(h.accepts(w)).toBe(true);
      expect(h.value(w, 'main.y[4]')).toBe(rescaleBig(value, 8));
    }
  });

  it('has no witness when the quotient needs more than n bits or a value leaves SignedRange', async () => {
    const cases: [number, bigint][] = [
      [2, 2040n], // rescale = 128: 9 bits
      [2, -2057n], // rescale = -129
      [0, 255n],
      [3, 2040n], // RescaleRelu range-checks the quotient before the ReLU
      [4, (1n << 247n) - 128n],
      [4, -(1n << 247n) - 129n],
      [5, 128n],
      [5, -129n],
    ];
    for (const [slot, value] of cases) {
      const x = zeros();
      x[slot] = value;
      await expectNoWitness(h, { x });
    }
  });

  it('models every wire of the honest witness (the forgeries below change only what they claim to)', async () => {
    const x = [0n, 0n, -1001n, -999n, 0n, -5n];
    const w = await run(x);
    const rs = quotientAndRemainder(x[2], 4);
    const rr = quotientAndRemainder(x[3], 4);
    const honest = {
      ...rescaleCoreWires('main.rs.core', x[2], rs.q, rs.r, 4, 8, h.prime),
      ...rescaleCoreWires('main.rr.core', x[3], rr.q, rr.r, 4, 8, h.prime),
      ...signedRangeWires('main.sr', x[5], 8, h.prime),
      'main.rr.out': 0n,
      'main.y[3]': 0n,
    };
    expect(h.assign(w, honest)).toEqual(w);
  });

  it('rejects a wrong output, with the remainder kept or recomputed to keep the linear relation', async () => {
    for (const value of [-1001n, -8n, 0n, 7n, 8n, 1500n]) {
      const w = await run([0n, 0n, value, 0n, 0n, 0n]);
      const { q, r } = quotientAndRemainder(value, 4);
      for (const delta of [1n, -1n, 5n]) {
        const kept = h.forge(w, { ...rescaleCoreWires('main.rs.core', value, q + delta, r, 4, 8, h.prime), 'main.y[2]': q + delta });
        expect(h.accepts(kept)).toBe(false);
        const relinked = rescaleCoreWires('main.rs.core', value, q + delta, r - delta * 16n, 4, 8, h.prime);
        expect(h.accepts(h.forge(w, { ...relinked, 'main.y[2]': q + delta }))).toBe(false);
      }
    }
  });

  it('rejects a remainder out of range: out - 1 with rem + 2^S', async () => {
    for (const value of [-1001n, -3n, 0n, 8n, 777n]) {
      const w = await run([0n, 0n, value, 0n, 0n, 0n]);
      const { q, r } = quotientAndRemainder(value, 4);
      const forged = h.forge(w, { ...rescaleCoreWires('main.rs.core', value, q - 1n, r + 16n, 4, 8, h.prime), 'main.y[2]': q - 1n });
      expect(h.accepts(forged)).toBe(false);
    }
  });

  it('rejects a quotient shifted by the field size: out + t * inv(2^S) with rem - t', async () => {
    const inv16 = inverseModP(16n, h.prime);
    for (const value of [-1001n, -9n, 5n, 1234n]) {
      const w = await run([0n, 0n, value, 0n, 0n, 0n]);
      const { q, r } = quotientAndRemainder(value, 4);
      for (const target of [0n, 15n, (r + 1n) % 16n]) {
        const t = r - target; // the forged remainder r - t = target is in range
        if (t === 0n) continue;
        const shifted = q + t * inv16;
        const forged = h.forge(w, { ...rescaleCoreWires('main.rs.core', value, shifted, target, 4, 8, h.prime), 'main.y[2]': shifted });
        // The linear relation holds in the field: only the quotient's range check can catch it.
        expect((shifted * 16n + target - (value + 8n)) % h.prime).toBe(0n);
        expect(h.accepts(forged)).toBe(false);
      }
    }
  });

  it('rejects a negative RescaleRelu output, and a quotient sign bit flipped to keep it consistent', async () => {
    const value = -999n;
    const w = await run([0n, 0n, 0n, value, 0n, 0n]);
    const { q, r } = quotientAndRemainder(value, 4);
    expect(h.accepts(h.forge(w, { 'main.rr.out': q, 'main.y[3]': q }))).toBe(false);
    const range = signedRangeWires('main.rr.core.range', q, 8, h.prime, 1n);
    const flipped = { ...rescaleCoreWires('main.rr.core', value, q, r, 4, 8, h.prime), ...range, 'main.rr.core.nonNegative': 1n };
    expect(h.accepts(h.forge(w, { ...flipped, 'main.rr.out': q, 'main.y[3]': q }))).toBe(false);
  });

  it('rejects a flipped SignedRange sign bit', async () => {
    for (const value of [-128n, -1n, 0n, 127n]) {
      const w = await run([0n, 0n, 0n, 0n, 0n, value]);
      const flip = value >= 0n ? 0n : 1n;
      expect(h.accepts(h.forge(w, { ...signedRangeWires('main.sr', value, 8, h.prime, flip), 'main.y[5]': flip }))).toBe(false);
    }
  });
});

describe('Relu, LeakyRelu and ClipConst', () => {
  let h: HarnessCircuit;
  const run = (x: bigint[]) => h.witness({ x });
  /** One slot per gadget: [expected output from the engine] for input v. */
  const references: ((v: bigint) => bigint)[] = [
    (v) => engineActivation(reluStep, [], v, 4),
    (v) => engineActivation(leakyStep(3), [3], v, 4),
    (v) => engineActivation(leakyStep(-5), [-5], v, 4),
    (v) => engineActivation(leakyStep(26), [26], v, 8),
    (v) => engineActivation(clipStep(-20, 50), [], v, 4),
    (v) => engineActivation(clipStep(0, null), [], v, 4),
    (v) => engineActivation(clipStep(null, 300), [], v, 4),
    (v) => engineActivation(clipStep(30, -10), [], v, 4),
  ];

  beforeAll(async () => {
    h = await compileHarness(
      'gadgets_activation',
      harnessSource(
        'signal input x[8]; signal output y[8];',
        [
          'component relu = Relu(8); relu.in <== x[0]; y[0] <== relu.out;',
          'component leaky = LeakyRelu(8, 4, 3); leaky.in <== x[1]; y[1] <== leaky.out;',
          'component leakyNeg = LeakyRelu(8, 4, -5); leakyNeg.in <== x[2]; y[2] <== leakyNeg.out;',
          'component leakyWide = LeakyRelu(16, 8, 26); leakyWide.in <== x[3]; y[3] <== leakyWide.out;',
          'component clip = ClipConst(8, 1, -20, 1, 50); clip.in <== x[4]; y[4] <== clip.out;',
          'component clipMin = ClipConst(8, 1, 0, 0, 0); clipMin.in <== x[5]; y[5] <== clipMin.out;',
          'component clipMax = ClipConst(8, 0, 0, 1, 300); clipMax.in <== x[6]; y[6] <== clipMax.out;',
          'component clipCrossed = ClipConst(8, 1, 30, 1, -10); clipCrossed.in <== x[7]; y[7] <== clipCrossed.out;',
        ].join('\n'),
      ),
    );
  });

  it('costs n + 1 per Relu, n + S + m + 1 per LeakyRelu and n + (w + 2) per clip bound', () => {
    const leaky = (n: number, S: number, alpha: number) => n + S + Math.max(2, n + Math.abs(alpha).toString(2).length - S + 1) + 1;
    const clip = 8 + 10 + 10 + (8 + 10) + (8 + 12) + (8 + 10 + 10);
    expect(h.compiled.info.nonLinearConstraints).toBe(9 + leaky(8, 4, 3) + leaky(8, 4, -5) + leaky(16, 8, 26) + clip);
  });

  it('equals the engine kernels over the whole signed input range', async () => {
    const narrow = sweep(-128, 127, 1, 0);
    const wide = sweep(-32768, 32767, 97, 600);
    for (let i = 0; i < wide.length; i++) {
      const x = references.map((_, slot) => (slot === 3 ? wide[i] : pick(narrow, i * (slot + 1))));
      const w = await run(x);
      expect(h.accepts(w)).toBe(true);
      expect(x.map((_, slot) => h.value(w, `main.y[${slot}]`))).toEqual(x.map((v, slot) => references[slot](v)));
    }
  });

  it('has no witness for an input outside its signed n bits', async () => {
    for (const [slot, value] of [
      [0, 128n],
      [1, -129n],
      [3, 32768n],
      [4, 200n],
      [6, -129n],
    ] as const) {
      const x = new Array<bigint>(8).fill(0n);
      x[slot] = value;
      await expectNoWitness(h, { x });
    }
  });

  it('models every wire of the honest witness (the forgeries below change only what they claim to)', async () => {
    const x = [-7n, 0n, 0n, 0n, 77n, 0n, 0n, 0n];
    const w = await run(x);
    const honest = {
      ...signedRangeWires('main.relu.range', -7n, 8, h.prime),
      'main.relu.out': 0n,
      ...signedRangeWires('main.clip.range', 77n, 8, h.prime),
      ...signedRangeWires('main.clip.geMin', 77n + 20n, 9, h.prime),
      'main.clip.lo': 77n,
      ...signedRangeWires('main.clip.leMax', 50n - 77n, 9, h.prime),
      'main.clip.out': 50n,
    };
    expect(h.assign(w, honest)).toEqual(w);
  });

  it('rejects a negative ReLU output, a zeroed positive one, and a sign bit flipped to match', async () => {
    for (const value of [-128n, -1n]) {
      const w = await run([value, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
      expect(h.accepts(h.forge(w, { 'main.relu.out': value, 'main.y[0]': value }))).toBe(false);
      const flipped = signedRangeWires('main.relu.range', value, 8, h.prime, 1n);
      expect(h.accepts(h.forge(w, { ...flipped, 'main.relu.out': value, 'main.y[0]': value }))).toBe(false);
    }
    const w = await run([9n, 0n, 0n, 0n, 0n, 0n, 0n, 0n]);
    expect(h.accepts(h.forge(w, { 'main.relu.out': 0n, 'main.y[0]': 0n }))).toBe(false);
    const zeroed = signedRangeWires('main.relu.range', 9n, 8, h.prime, 0n);
    expect(h.accepts(h.forge(w, { ...zeroed, 'main.relu.out': 0n, 'main.y[0]': 0n }))).toBe(false);
  });

  it('rejects a LeakyRelu that skips the leak, leaks a positive input, or rounds the leak wrongly', async () => {
    const negative = await run([0n, -100n, 0n, 0n, 0n, 0n, 0n, 0n]);
    expect(h.accepts(h.forge(negative, { 'main.leaky.out': -100n, 'main.y[1]': -100n }))).toBe(false);
    const { q, r } = quotientAndRemainder(-300n, 4); // in * alpha = -100 * 3
    const m = 7; // max(2, 8 + bitlen(3) - 4 + 1)
    const offByOne = rescaleCoreWires('main.leaky.scaled.core', -300n, q + 1n, r - 16n, 4, m, h.prime);
    expect(h.accepts(h.forge(negative, { ...offByOne, 'main.leaky.scaled.out': q + 1n, 'main.leaky.out': q + 1n, 'main.y[1]': q + 1n }))).toBe(false);
    const positive = await run([0n, 100n, 0n, 0n, 0n, 0n, 0n, 0n]);
    const leak = rescaleBig(300n, 4);
    expect(h.accepts(h.forge(positive, { 'main.leaky.out': leak, 'main.y[1]': leak }))).toBe(false);
  });

  it('rejects a bypassed clamp (out = in above max or below min) and a clamp of an in-range value', async () => {
    const above = await run([0n, 0n, 0n, 0n, 77n, 0n, 0n, 0n]);
    expect(h.accepts(h.forge(above, { 'main.clip.out': 77n, 'main.y[4]': 77n }))).toBe(false);
    // Best try: claim max - lo >= 0 by flipping that comparison's sign bit, so out = lo is consistent.
    const flipped = signedRangeWires('main.clip.leMax', 50n - 77n, 9, h.prime, 1n);
    expect(h.accepts(h.forge(above, { ...flipped, 'main.clip.out': 77n, 'main.y[4]': 77n }))).toBe(false);

    const below = await run([0n, 0n, 0n, 0n, -100n, 0n, 0n, 0n]);
    const lowFlip = signedRangeWires('main.clip.geMin', -100n + 20n, 9, h.prime, 1n);
    const bypass = { ...lowFlip, 'main.clip.lo': -100n, ...signedRangeWires('main.clip.leMax', 150n, 9, h.prime), 'main.clip.out': -100n, 'main.y[4]': -100n };
    expect(h.accepts(h.forge(below, bypass))).toBe(false);

    const inside = await run([0n, 0n, 0n, 0n, 10n, 0n, 0n, 0n]);
    expect(h.accepts(h.forge(inside, { 'main.clip.out': 50n, 'main.y[4]': 50n }))).toBe(false);
  });
});

describe('MaxOf and ArgMax', () => {
  let h: HarnessCircuit;

  beforeAll(async () => {
    h = await compileHarness(
      'gadgets_max',
      harnessSource(
        'signal input v[4]; signal input u; signal output m; signal output a; signal output m1; signal output a1;',
        [
          'component maxOf = MaxOf(4, 8); maxOf.in <== v; m <== maxOf.out;',
          'component argMax = ArgMax(4, 8); argMax.in <== v; a <== argMax.out;',
          'component maxOne = MaxOf(1, 8); maxOne.in[0] <== u; m1 <== maxOne.out;',
          'component argOne = ArgMax(1, 8); argOne.in[0] <== u; a1 <== argOne.out;',
        ].join('\n'),
      ),
    );
  });

  it('costs 2kn + k - 1 per MaxOf and MaxOf + 3k - 1 per ArgMax (MaxOf alone for k = 1)', () => {
    const maxOf = (k: number, n: number) => 2 * k * n + k - 1;
    expect(h.compiled.info.nonLinearConstraints).toBe(2 * maxOf(4, 8) + 3 * 4 - 1 + 2 * maxOf(1, 8));
  });

  it('returns the maximum and the index of its first occurrence', async () => {
    const vectors: bigint[][] = [
      [1n, 2n, 3n, 4n],
      [4n, 3n, 2n, 1n],
      [5n, 9n, 3n, 9n],
      [-128n, -128n, -128n, -128n],
      [127n, -128n, 127n, 0n],
      [-5n, -3n, -3n, -100n],
      [0n, 0n, 1n, 1n],
    ];
    let seed = 7;
    for (let i = 0; i < 60; i++) {
      vectors.push(Array.from({ length: 4 }, () => BigInt(((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 9) - 4)));
    }
    for (const v of vectors) {
      const w = await h.witness({ v, u: v[0] });
      expect(h.accepts(w)).toBe(true);
      const max = v.reduce((a, b) => (b > a ? b : a));
      expect([h.value(w, 'main.m'), h.value(w, 'main.a'), h.value(w, 'main.m1'), h.value(w, 'main.a1')]).toEqual([max, BigInt(v.indexOf(max)), v[0], 0n]);
    }
  });

  it('has no witness when an input leaves its signed n bits', async () => {
    await expectNoWitness(h, { v: [0n, 128n, 0n, 0n], u: 0n });
    await expectNoWitness(h, { v: [0n, 0n, -129n, 0n], u: 0n });
    await expectNoWitness(h, { v: [0n, 0n, 0n, 0n], u: 128n });
  });

  /** Wires of MaxOf(4, 8) at `prefix` claiming `claimed` is the max of v (diff bits, prefix products). */
  function maxOfWires(prefix: string, v: bigint[], claimed: bigint): Record<string, bigint> {
    const wires: Record<string, bigint> = { [`${prefix}.out`]: claimed };
    let product = 1n;
    v.forEach((x, i) => {
      Object.assign(wires, signedRangeWires(`${prefix}.range[${i}]`, x, 8, h.prime), bitWires(`${prefix}.above[${i}]`, claimed - x, 8, h.prime));
      product = (product * (claimed - x)) % h.prime;
      wires[`${prefix}.prefix[${i}]`] = product;
    });
    return wires;
  }

  it('rejects a non-maximal element and an upper bound that is no element', async () => {
    const v = [5n, 9n, 3n, 7n];
    const w = await h.witness({ v, u: 0n });
    expect(h.assign(w, maxOfWires('main.maxOf', v, 9n))).toEqual(w);
    for (const claimed of [7n, 5n, 3n, 10n, 127n]) {
      expect(h.accepts(h.forge(w, { ...maxOfWires('main.maxOf', v, claimed), 'main.m': claimed }))).toBe(false);
    }
  });

  /** Wires of ArgMax(4, 8)'s selection logic claiming index `claimed`, given its max and the isMax flags it wants. */
  function argMaxWires(v: bigint[], max: bigint, isMax: bigint[], claimed: number): Record<string, bigint> {
    const wires: Record<string, bigint> = { ...maxOfWires('main.argMax.maximum', v, max), 'main.argMax.out': BigInt(claimed), 'main.a': BigInt(claimed) };
    let seen = 0n;
    v.forEach((x, i) => {
      const first = i === claimed ? 1n : 0n;
      const diff = h.prime + max - x;
      wires[`main.argMax.isMax[${i}].in`] = diff;
      wires[`main.argMax.isMax[${i}].inv`] = diff % h.prime === 0n ? 0n : inverseModP(diff, h.prime);
      wires[`main.argMax.isMax[${i}].out`] = isMax[i];
      wires[`main.argMax.first[${i}]`] = first;
      wires[`main.argMax.seen[${i}]`] = seen;
      seen += first;
    });
    wires['main.argMax.seen[4]'] = seen;
    return wires;
  }

  it('rejects a later equal maximum and a non-maximal index, however the selection wires are set', async () => {
    const v = [5n, 9n, 3n, 9n];
    const w = await h.witness({ v, u: 0n });
    expect(h.value(w, 'main.a')).toBe(1n);
    expect(h.assign(w, argMaxWires(v, 9n, [0n, 1n, 0n, 1n], 1))).toEqual(w);
    // Later equal maximum: honest flags, or the earlier maximum's flag cleared to make index 3 "first".
    expect(h.accepts(h.forge(w, argMaxWires(v, 9n, [0n, 1n, 0n, 1n], 3)))).toBe(false);
    expect(h.accepts(h.forge(w, argMaxWires(v, 9n, [0n, 0n, 0n, 1n], 3)))).toBe(false);
    // Non-maximal index: claim v[2] is a maximum (flag set), or claim max = 3 so that it "is".
    expect(h.accepts(h.forge(w, argMaxWires(v, 9n, [0n, 0n, 1n, 0n], 2)))).toBe(false);
    expect(h.accepts(h.forge(w, argMaxWires(v, 3n, [0n, 0n, 1n, 0n], 2)))).toBe(false);
    // Just the output changed.
    expect(h.accepts(h.forge(w, { 'main.argMax.out': 3n, 'main.a': 3n }))).toBe(false);
  });
});

describe('PackRange and CommitSignedVector', () => {
  let h: HarnessCircuit;
  const OFFSET = 8n;
  const BITS = 4;

  beforeAll(async () => {
    h = await compileHarness(
      'gadgets_packing',
      harnessSource(
        'signal input p[3]; signal input c[5]; signal output packed; signal output commitment;',
        [
          'component pack = PackRange(3, 8); pack.in <== p; packed <== pack.out;',
          `component commit = CommitSignedVector(5, ${BITS}, ${OFFSET}); commit.in <== c; commitment <== commit.out;`,
        ].join('\n'),
      ),
    );
  });

  it('costs k * n per PackRange and count * n + PoseidonChain(groups) for CommitSignedVector', () => {
    // One Poseidon(16) block whose state and 14 padding inputs are constants: 609 - 15 * 3.
    expect(h.compiled.info.nonLinearConstraints).toBe(3 * 8 + 5 * BITS + 564);
  });

  it('packs and commits exactly like src/zk/poseidon-commitment.ts, at the range edges too', async () => {
    for (const [p, c] of [
      [
        [0n, 0n, 0n],
        [0n, 0n, 0n, 0n, 0n],
      ],
      [
        [255n, 1n, 128n],
        [-8n, 7n, -1n, 0n, 3n],
      ],
      [
        [255n, 255n, 255n],
        [7n, 7n, 7n, 7n, 7n],
      ],
    ]) {
      const w = await h.witness({ p, c });
      expect(h.accepts(w)).toBe(true);
      expect(h.value(w, 'main.packed')).toBe(packRange(p, 8));
      expect(modP(h.value(w, 'main.commitment'), h.prime)).toBe(await commitSignedVector(c, BITS, OFFSET));
    }
  });

  it('has no witness for a packed value >= 2^n or a committed value outside [-offset, 2^n - 1 - offset]', async () => {
    await expectNoWitness(h, { p: [256n, 0n, 0n], c: [0n, 0n, 0n, 0n, 0n] });
    await expectNoWitness(h, { p: [0n, 0n, -1n], c: [0n, 0n, 0n, 0n, 0n] });
    await expectNoWitness(h, { p: [0n, 0n, 0n], c: [0n, 8n, 0n, 0n, 0n] });
    await expectNoWitness(h, { p: [0n, 0n, 0n], c: [0n, 0n, 0n, 0n, -9n] });
  });

  it('rejects a value >= 2^n that aliases another packing (in[0] + 2^n, in[1] - 1)', async () => {
    const p = [17n, 5n, 9n];
    const w = await h.witness({ p, c: [0n, 0n, 0n, 0n, 0n] });
    const aliased = [p[0] + 256n, p[1] - 1n, p[2]];
    expect(aliased.reduce((sum, v, i) => sum + v * 256n ** BigInt(i), 0n)).toBe(packRange(p, 8));
    const wires = Object.assign({}, ...aliased.map((v, i) => ({ [`main.p[${i}]`]: v, [`main.pack.in[${i}]`]: v, ...bitWires(`main.pack.bits[${i}]`, v, 8, h.prime) })));
    expect(h.accepts(h.forge(w, wires))).toBe(false);
  });

  it('rejects an input outside the committed range that aliases an in-range vector with the same commitment', async () => {
    const c = [3n, -2n, 0n, 0n, 0n];
    const w = await h.witness({ p: [0n, 0n, 0n], c });
    // (c0 + 8) + 16 and (c1 + 8) - 1 pack to the same field element, hence the same hash.
    const forgedInput = [c[0] + 16n, c[1] - 1n, ...c.slice(2)];
    const wires = Object.assign(
      {},
      ...forgedInput.map((v, i) => ({ [`main.c[${i}]`]: v, [`main.commit.last.in[${i}]`]: v + OFFSET, ...bitWires(`main.commit.last.bits[${i}]`, v + OFFSET, BITS, h.prime) })),
    );
    expect(h.accepts(h.forge(w, wires))).toBe(false);
  });
});

/**
 * The forgeries above are rejected by the constraints they target: with that one constraint
 * removed from the library (the templates inlined, one line replaced), the same forgery passes.
 */
describe('each forgery is caught by the constraint it targets', () => {
  const library = readFileSync(join(CIRCUITS_LIB_DIR, 'fixed-point.circom'), 'utf8').replace(/^pragma .*$/m, '');
  function weakened(from: string, to: string, main: string): string {
    if (!library.includes(from)) throw new Error(`fixed-point.circom no longer contains ${JSON.stringify(from)}`);
    return ['pragma circom 2.1.0;', library.replace(from, to), 'template Main() {', main, '}', 'component main = Main();', ''].join('\n');
  }
  const rescaleMain = 'signal input x; signal output y; component rs = Rescale(4, 8); rs.in <== x; y <== rs.out;';
  const value = -1001n;
  const { q, r } = quotientAndRemainder(value, 4);
  /** The forgery's wires without those of the removed check (they are constants in the weakened circuit). */
  const without = (wires: Record<string, bigint>, part: RegExp) => Object.fromEntries(Object.entries(wires).filter(([name]) => !part.test(name)));

  it('a Rescale without the remainder range check accepts out - 1 with rem + 2^S', async () => {
    const h = await compileHarness('weak_remainder', weakened('    remBits.in <== rem;\n', '    remBits.in <== 0;\n', rescaleMain));
    const w = await h.witness({ x: value });
    const wires = without(rescaleCoreWires('main.rs.core', value, q - 1n, r + 16n, 4, 8, h.prime), /remBits/);
    expect(h.accepts(h.forge(w, { ...wires, 'main.y': q - 1n }))).toBe(true);
  });

  it('a Rescale without the quotient range check accepts a field-shifted quotient', async () => {
    const h = await compileHarness('weak_quotient', weakened('    range.in <== out;\n', '    range.in <== 0;\n', rescaleMain));
    const w = await h.witness({ x: value });
    const shifted = q + (r - 3n) * inverseModP(16n, h.prime);
    const wires = without(rescaleCoreWires('main.rs.core', value, shifted, 3n, 4, 8, h.prime), /range|nonNegative/);
    expect(h.accepts(h.forge(w, { ...wires, 'main.y': shifted }))).toBe(true);
  });

  it('a MaxOf without the product constraint accepts an upper bound that is no element', async () => {
    const h = await compileHarness('weak_max', weakened('    prefix[k - 1] === 0;\n', '', 'signal input v[4]; signal output m; component g = MaxOf(4, 8); g.in <== v; m <== g.out;'));
    const v = [5n, 9n, 3n, 7n];
    const w = await h.witness({ v });
    const wires: Record<string, bigint> = { 'main.g.out': 10n, 'main.m': 10n };
    let product = 1n;
    v.forEach((x, i) => {
      Object.assign(wires, bitWires(`main.g.above[${i}]`, 10n - x, 8, h.prime));
      product = (product * (10n - x)) % h.prime;
      wires[`main.g.prefix[${i}]`] = product;
    });
    expect(h.accepts(h.forge(w, wires))).toBe(true);
  });
});
