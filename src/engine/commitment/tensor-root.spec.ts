import fc from 'fast-check';
import { type Hex, encodeAbiParameters, keccak256 } from 'viem';
import { EngineError } from '../engine.errors';
import { keccakBytes } from './int256-word';
import {
  chunkValues,
  leafHash,
  merkleLevels,
  merkleRootOfLevels,
  nodeHash,
  verifyMerkleProof,
  ZERO_HASH,
} from './merkle-tree';
import { ChunkTree, tensorChunkProof, tensorRoot } from './tensor-root';

/** The tree of section 8 spelled with viem's ABI encoder and keccak256: the reference. */
function referenceRoot(values: readonly bigint[]): Hex {
  const chunks = chunkValues(values);
  if (chunks.length === 0) return ZERO_HASH;
  let level: Hex[] = chunks.map((c, i) =>
    keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'int256[16]' }], [BigInt(i), c as never])),
  );
  while (level.length & (level.length - 1)) level.push(ZERO_HASH);
  while (level.length > 1) {
    const above: Hex[] = [];
    for (let i = 0; i < level.length; i += 2)
      above.push(keccak256(`0x${level[i].slice(2)}${level[i + 1].slice(2)}`));
    level = above;
  }
  return level[0];
}

/** What LibTensorRoot.rangeRoot does, in TS: the root from a run of leaves and its range proof. */
function rangeRoot(leaves: Hex[], first: number, depth: number, siblings: Hex[]): Hex | null {
  let nodes = [...leaves];
  let a = first;
  let b = first + leaves.length;
  let used = 0;
  for (let level = 0; level < depth; level++) {
    const next: Hex[] = [];
    for (let pos = a - (a % 2); pos < b; pos += 2) {
      const left = pos >= a ? nodes[pos - a] : siblings[used++];
      const right = pos + 1 < b ? nodes[pos + 1 - a] : siblings[used++];
      if (left === undefined || right === undefined) return null;
      next.push(nodeHash(left, right));
    }
    nodes = next;
    a = Math.floor(a / 2);
    b = Math.ceil(b / 2);
  }
  return used === siblings.length ? nodes[0] : null;
}

const int = fc.oneof(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.constantFrom(0, -1, 1)).map(BigInt);

describe('tensor roots', () => {
  it('hashes with js-sha3 exactly as viem keccak256 does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        expect(Buffer.from(keccakBytes(bytes)).toString('hex')).toBe(keccak256(bytes).slice(2));
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it('equals the reference tree of section 8 (viem ABI encoding) for any length, 0 included', () => {
    fc.assert(
      fc.property(fc.array(int, { maxLength: 300 }), (values) => {
        const root = tensorRoot(values);
        expect(root).toBe(referenceRoot(values));
        expect(root).toBe(
          merkleRootOfLevels(merkleLevels(chunkValues(values).map((c, i) => leafHash(i, c)))),
        );
        expect(tensorRoot(values.map(Number))).toBe(root);
        expect(new ChunkTree(values).root).toBe(root);
      }),
      { numRuns: 120, seed: 2 },
    );
    expect(tensorRoot([])).toBe(ZERO_HASH);
  });

  it('gives a chunk proof that verifies, and fails for a changed value or another index', () => {
    const values = Array.from({ length: 100 }, (_, i) => BigInt(i * 3 - 150));
    const root = tensorRoot(values);
    for (let c = 0; c < 7; c++) {
      const proof = tensorChunkProof(values, c);
      expect(verifyMerkleProof(root, proof)).toBe(true);
      expect(verifyMerkleProof(root, { ...proof, chunkIndex: (c + 1) % 7 })).toBe(false);
      expect(
        verifyMerkleProof(root, {
          ...proof,
          values: proof.values.map((v, k) => (k === 15 ? String(BigInt(v) + 1n) : v)),
        }),
      ).toBe(false);
    }
    expect(() => tensorChunkProof(values, 7)).toThrow(EngineError);
  });

  it('gives range proofs that rebuild the root for every run of chunks, and only for the right position', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.nat(), (chunks, x, y) => {
        const values = Array.from(
          { length: chunks * 16 - (x % 16) },
          (_, i) => BigInt((i * 7919) % 1000) - 500n,
        );
        const tree = new ChunkTree(values);
        const first = x % tree.chunkCount;
        const count = 1 + (y % (tree.chunkCount - first));
        const proof = tree.rangeProof(first, count);
        const leaves = Array.from({ length: count }, (_, c) =>
          leafHash(first + c, proof.values.slice(16 * c, 16 * c + 16)),
        );
        expect(proof.depth).toBe(Math.ceil(Math.log2(tree.chunkCount)));
        expect(rangeRoot(leaves, first, proof.depth, proof.siblings)).toBe(tree.root);
        if (first + count < tree.chunkCount)
          expect(rangeRoot(leaves, first + 1, proof.depth, proof.siblings)).not.toBe(tree.root);
        if (count === 2 ** proof.depth) expect(proof.siblings).toEqual([]);
        if (count === tree.chunkCount) expect(proof.siblings.every((s) => s === ZERO_HASH)).toBe(true);
        if (count === 1) expect(proof.siblings).toEqual(tree.proof(first).siblings);
      }),
      { numRuns: 150, seed: 4 },
    );
  });
});
