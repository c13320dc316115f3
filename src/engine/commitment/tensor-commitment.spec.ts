import fc from 'fast-check';
import { type Hex, encodeAbiParameters } from 'viem';
import { EngineError } from '../engine.errors';
import {
  commitTensor,
  commitTrace,
  encodeInt256Array,
  traceCommitmentFromRoots,
  traceTensorRoots,
} from './tensor-commitment';
import { chunkValues, leafHash, merkleLevels, merkleRootOfLevels } from './merkle-tree';
import { tensorRoot } from './tensor-root';

/**
 * Format v3's input/output commitment, by an independent path: viem's ABI encoder for each chunk
 * leaf (merkle-tree.ts) and the hex-level tree; bytes32(0) for an empty tensor.
 */
const referenceTensorCommitment = (values: readonly (number | bigint | string)[]): Hex =>
  merkleRootOfLevels(merkleLevels(chunkValues(values.map((v) => BigInt(v))).map((c, i) => leafHash(i, c))));
/** The trace tree's root over tensor roots, by merkle-tree.ts. */
const referenceTraceCommitment = (roots: Hex[]): Hex => merkleRootOfLevels(merkleLevels(roots));

const TWO_POW_52 = 2 ** 52;
const edgeNumbers = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  TWO_POW_52,
  -TWO_POW_52,
  TWO_POW_52 - 1,
  -(TWO_POW_52 - 1),
  TWO_POW_52 + 1,
  -(TWO_POW_52 + 1),
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
  2 ** 32,
  -(2 ** 32),
  2 ** 31,
  -(2 ** 31),
  2 ** 32 - 1,
  -(2 ** 32 - 1),
);
const nearTwoPow52 = fc
  .integer({ min: -1000, max: 1000 })
  .chain((d) => fc.constantFrom(TWO_POW_52 + d, -TWO_POW_52 + d));
const safeNumber = fc.oneof(fc.integer(), fc.maxSafeInteger(), edgeNumbers, nearTwoPow52);
const int256 = fc.bigInt({ min: -(2n ** 255n), max: 2n ** 255n - 1n });

describe('tensor commitment (format version 3: the tensor root)', () => {
  it('equals the reference tensor root on safe-integer numbers, negatives and values near ±2^52 included', () => {
    fc.assert(
      fc.property(fc.array(safeNumber, { maxLength: 70 }), (values) => {
        expect(commitTensor(values)).toBe(referenceTensorCommitment(values));
        expect(commitTensor(Float64Array.from(values))).toBe(referenceTensorCommitment(values));
      }),
      { numRuns: 300, seed: 1 },
    );
  });

  it('equals the reference on any int256 bigint and on decimal strings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(int256, fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n })), { maxLength: 20 }),
        (values) => {
          expect(commitTensor(values)).toBe(referenceTensorCommitment(values));
          expect(commitTensor(values.map(String))).toBe(referenceTensorCommitment(values));
        },
      ),
      { numRuns: 200, seed: 2 },
    );
  });

  it('writes the same bytes as viem for the extremes of int256 and for an empty tensor', () => {
    const extremes = [-(2n ** 255n), 2n ** 255n - 1n, -1n, 0n];
    expect(Buffer.from(encodeInt256Array(extremes)).toString('hex')).toBe(
      encodeAbiParameters([{ type: 'int256[]' }], [extremes]).slice(2),
    );
    expect(commitTensor([])).toBe(`0x${'0'.repeat(64)}`);
  });

  it('refuses numbers that are not safe integers and bigints outside int256', () => {
    for (const bad of [0.5, NaN, Infinity, 2 ** 53]) expect(() => commitTensor([bad])).toThrow(EngineError);
    expect(() => commitTensor([2n ** 255n])).toThrow(/int256/);
    expect(() => commitTensor([-(2n ** 255n) - 1n])).toThrow(/int256/);
  });
});

describe('trace commitment (format version 3)', () => {
  const steps = fc.array(fc.array(safeNumber, { maxLength: 40 }), { maxLength: 6 });
  const input = fc.array(safeNumber, { minLength: 1, maxLength: 40 });

  it('is the Merkle root over the tensor roots of the input and every step output', () => {
    fc.assert(
      fc.property(input, steps, (x, trace) => {
        const roots = traceTensorRoots(x, trace);
        expect(roots).toEqual([x, ...trace].map((t) => tensorRoot(t)));
        expect(commitTrace(x, trace)).toBe(referenceTraceCommitment(roots));
        expect(traceCommitmentFromRoots(roots)).toBe(commitTrace(x, trace));
        expect(
          commitTrace(
            Float64Array.from(x),
            trace.map((s) => Float64Array.from(s)),
          ),
        ).toBe(commitTrace(x, trace));
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it('changes when one value of the input or of one step changes, or when two steps swap', () => {
    const trace = [[1, -2, 3], [4, 5], [-6]];
    const base = commitTrace([7, 8], trace);
    expect(commitTrace([7, 9], trace)).not.toBe(base);
    expect(commitTrace([7, 8], [[1, -2, 3], [4, 6], [-6]])).not.toBe(base);
    expect(commitTrace([7, 8], [[4, 5], [1, -2, 3], [-6]])).not.toBe(base);
    expect(commitTrace([7, 8], [[1, -2, 3, 4], [5], [-6]])).not.toBe(base);
  });

  it('refuses a tensor root that is not 32 bytes of hex', () => {
    expect(() => traceCommitmentFromRoots(['0x1234'])).toThrow(EngineError);
  });
});
