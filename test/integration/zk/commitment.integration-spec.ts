/**
 * circuits/lib/commitment.circom against its TypeScript twin src/zk/poseidon-commitment.ts: the
 * commitment a circuit exposes must be the one the service computes before proving.
 */
import { commitSignedVector, offsetBitsFor, poseidonChain, poseidonHash } from '../../../src/zk/poseidon-commitment';
import { compileHarness, harnessSource, modP, type HarnessCircuit } from '../../support/zk-circuit-harness';

/** NOTES-zk: circomlibjs poseidon([1, 2]), checked there against the circuit. */
const POSEIDON_1_2 = 7853200120776062878684798364095072458815029376092732009249414926327459813530n;
const CHAIN_LENGTHS = [1, 15, 16, 31];
const VECTOR_LENGTHS = [1, 15, 16, 31, 784];
/** An input bound B = 2^18 gives n = bitlen(2B) = 20 bits, as for a model with F = 16 and B_real = 4. */
const OFFSET = 1n << 18n;
const BITS = 20;

/** PoseidonChain(m) cost: B = ceil(m / 15) blocks of 609, less 3 per constant input. */
const chainCost = (m: number): number => {
  const blocks = Math.ceil(m / 15);
  return 609 * blocks - 3 * (1 + 15 * blocks - m);
};

/** Deterministic pseudo-random bigints below `limit`. */
function randoms(count: number, limit: bigint, seed: number): bigint[] {
  let state = BigInt(seed);
  return Array.from({ length: count }, () => {
    state = (state * 6364136223846793005n + 1442695040888963407n) % (1n << 64n);
    return ((state << 192n) ^ (state << 128n) ^ (state << 64n) ^ state) % limit;
  });
}

describe('PoseidonChain', () => {
  let h: HarnessCircuit;

  beforeAll(async () => {
    const signals = ['signal input pair[2]; signal output pairHash;', ...CHAIN_LENGTHS.map((m) => `signal input a${m}[${m}]; signal output h${m};`)];
    const body = [
      'component pairPoseidon = Poseidon(2); pairPoseidon.inputs <== pair; pairHash <== pairPoseidon.out;',
      ...CHAIN_LENGTHS.map((m) => `component chain${m} = PoseidonChain(${m}); chain${m}.in <== a${m}; h${m} <== chain${m}.out;`),
    ];
    h = await compileHarness('commit_chain', harnessSource(signals.join('\n'), body.join('\n')));
  }, 600_000);

  it('costs 609 per Poseidon(16) block less 3 per constant input', () => {
    expect(h.compiled.info.nonLinearConstraints).toBe(240 + CHAIN_LENGTHS.reduce((sum, m) => sum + chainCost(m), 0));
  });

  it('hashes [1, 2] to the known circomlib vector in the circuit and in TypeScript', async () => {
    const inputs = Object.fromEntries(CHAIN_LENGTHS.map((m) => [`a${m}`, new Array<bigint>(m).fill(0n)]));
    const w = await h.witness({ pair: [1n, 2n], ...inputs });
    expect(h.accepts(w)).toBe(true);
    expect(modP(h.value(w, 'main.pairHash'), h.prime)).toBe(POSEIDON_1_2);
    expect(await poseidonHash([1n, 2n])).toBe(POSEIDON_1_2);
  });

  it('equals poseidonChain for 1, 15, 16 and 31 field elements, including 0 and p - 1', async () => {
    for (const seed of [1, 2, 3]) {
      const inputs: Record<string, bigint[]> = {};
      for (const m of CHAIN_LENGTHS) {
        const values = randoms(m, h.prime, seed * 100 + m);
        if (seed === 2) values[0] = h.prime - 1n;
        if (seed === 3) values[m - 1] = 0n;
        inputs[`a${m}`] = values;
      }
      const w = await h.witness({ pair: [0n, 0n], ...inputs });
      expect(h.accepts(w)).toBe(true);
      for (const m of CHAIN_LENGTHS) {
        expect(modP(h.value(w, `main.h${m}`), h.prime)).toBe(await poseidonChain(inputs[`a${m}`]));
      }
    }
  });

  it('gives a different chain value when an element changes or moves', async () => {
    const values = randoms(31, 1n << 200n, 9);
    const swapped = [values[1], values[0], ...values.slice(2)];
    const bumped = [...values.slice(0, 30), values[30] + 1n];
    const results = await Promise.all([values, swapped, bumped].map((v) => poseidonChain(v)));
    expect(new Set(results).size).toBe(3);
  });
});

describe('CommitSignedVector', () => {
  let h: HarnessCircuit;
  const limit = (1n << BigInt(BITS)) - 1n - OFFSET;

  beforeAll(async () => {
    expect(offsetBitsFor(OFFSET)).toBe(BITS);
    const signals = VECTOR_LENGTHS.map((c) => `signal input v${c}[${c}]; signal output c${c};`);
    const body = VECTOR_LENGTHS.map((c) => `component commit${c} = CommitSignedVector(${c}, ${BITS}, ${OFFSET}); commit${c}.in <== v${c}; c${c} <== commit${c}.out;`);
    h = await compileHarness('commit_vectors', harnessSource(signals.join('\n'), body.join('\n')));
  }, 600_000);

  /** Values in [-OFFSET, 2^20 - 1 - OFFSET] with both edges present. */
  function vector(count: number, seed: number): bigint[] {
    const values = randoms(count, limit + OFFSET + 1n, seed).map((v) => v - OFFSET);
    values[0] = -OFFSET;
    values[count - 1] = count > 1 ? limit : values[count - 1];
    return values;
  }

  it('costs count * n plus PoseidonChain over ceil(count / 12) packed elements', () => {
    const perGroup = Math.floor(252 / BITS);
    const cost = (count: number) => count * BITS + chainCost(Math.ceil(count / perGroup));
    expect(h.compiled.info.nonLinearConstraints).toBe(VECTOR_LENGTHS.reduce((sum, c) => sum + cost(c), 0));
  });

  it('equals commitSignedVector for 1, 15, 16, 31 and 784 values with n = 20, at both range edges', async () => {
    for (const seed of [11, 12]) {
      const inputs = Object.fromEntries(VECTOR_LENGTHS.map((c) => [`v${c}`, vector(c, seed * 1000 + c)]));
      if (seed === 12) inputs.v1 = [limit];
      const w = await h.witness(inputs);
      expect(h.accepts(w)).toBe(true);
      for (const c of VECTOR_LENGTHS) {
        expect(modP(h.value(w, `main.c${c}`), h.prime)).toBe(await commitSignedVector(inputs[`v${c}`], BITS, OFFSET));
      }
    }
  });

  it('has no witness for a value one past either edge of the range', async () => {
    for (const bad of [limit + 1n, -OFFSET - 1n]) {
      const inputs = Object.fromEntries(VECTOR_LENGTHS.map((c) => [`v${c}`, new Array<bigint>(c).fill(0n)]));
      inputs.v784[783] = bad;
      await expect(h.witness(inputs)).rejects.toMatchObject({ code: 'WITNESS_FAILED' });
      await expect(commitSignedVector(inputs.v784, BITS, OFFSET)).rejects.toMatchObject({ code: 'ZK_INPUT_INVALID', message: expect.stringContaining('value 783') });
    }
  });
});
