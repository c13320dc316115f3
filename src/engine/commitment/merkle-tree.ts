/**
 * Merkle tree over parameter chunks, checkable in Solidity:
 *   leaf_i = keccak256(abi.encode(uint256 i, int256[16] chunk_i))  (last chunk zero-padded)
 *   node   = keccak256(abi.encodePacked(bytes32 left, bytes32 right))  (ordered, not sorted)
 * The leaf level is padded with bytes32(0) to a power of two; zero leaves give root bytes32(0).
 * Hashing: int256-word.ts (js-sha3; tensor-root.spec checks it against viem's ABI encoding).
 */
import { type Hex, bytesToHex, hexToBytes } from 'viem';
import { PARAMETER_CHUNK_SIZE_VALUES } from '../engine.constants';
import { EngineError } from '../engine.errors';
import { WORD_BYTES, keccakBytes, writeInt256Word } from './int256-word';

export const ZERO_HASH: Hex = `0x${'0'.repeat(64)}`;

export interface MerkleProof {
  chunkIndex: number;
  /** The chunk's 16 values (decimal strings), zero-padded. */
  values: string[];
  /** Sibling hashes from the leaf level up. */
  siblings: Hex[];
}

export function chunkValues(values: readonly bigint[]): bigint[][] {
  const chunks: bigint[][] = [];
  for (let i = 0; i < values.length; i += PARAMETER_CHUNK_SIZE_VALUES) {
    const chunk = values.slice(i, i + PARAMETER_CHUNK_SIZE_VALUES);
    while (chunk.length < PARAMETER_CHUNK_SIZE_VALUES) chunk.push(0n);
    chunks.push(chunk);
  }
  return chunks;
}

export function leafHash(chunkIndex: number, chunk: readonly bigint[]): Hex {
  if (chunk.length !== PARAMETER_CHUNK_SIZE_VALUES) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `a chunk has ${PARAMETER_CHUNK_SIZE_VALUES} values, got ${chunk.length}`,
    );
  }
  const bytes = new Uint8Array((PARAMETER_CHUNK_SIZE_VALUES + 1) * WORD_BYTES);
  const view = new DataView(bytes.buffer);
  writeInt256Word(bytes, view, 0, BigInt(chunkIndex));
  chunk.forEach((v, i) => writeInt256Word(bytes, view, (i + 1) * WORD_BYTES, v));
  return bytesToHex(keccakBytes(bytes));
}

export function nodeHash(left: Hex, right: Hex): Hex {
  const bytes = new Uint8Array(2 * WORD_BYTES);
  bytes.set(hexToBytes(left), 0);
  bytes.set(hexToBytes(right), WORD_BYTES);
  return bytesToHex(keccakBytes(bytes));
}

/** All levels, leaves first; each level padded to even length (the leaf level to a power of two). */
export function merkleLevels(leaves: Hex[]): Hex[][] {
  if (leaves.length === 0) return [[ZERO_HASH]];
  let width = 1;
  while (width < leaves.length) width *= 2;
  const levels: Hex[][] = [[...leaves, ...new Array<Hex>(width - leaves.length).fill(ZERO_HASH)]];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const above: Hex[] = [];
    for (let i = 0; i < below.length; i += 2) above.push(nodeHash(below[i], below[i + 1]));
    levels.push(above);
  }
  return levels;
}

export function merkleRootOfLevels(levels: Hex[][]): Hex {
  return levels.length === 1 && levels[0].length === 1 && levels[0][0] === ZERO_HASH
    ? ZERO_HASH
    : levels[levels.length - 1][0];
}

export function proofFromLevels(levels: Hex[][], chunkIndex: number, chunk: readonly bigint[]): MerkleProof {
  const siblings: Hex[] = [];
  let index = chunkIndex;
  for (let level = 0; level < levels.length - 1; level++) {
    siblings.push(levels[level][index ^ 1]);
    index >>= 1;
  }
  return { chunkIndex, values: chunk.map(String), siblings };
}

/** Recompute the root from a proof and compare (what a contract does). */
export function verifyMerkleProof(root: Hex, proof: MerkleProof): boolean {
  let hash = leafHash(
    proof.chunkIndex,
    proof.values.map((v) => BigInt(v)),
  );
  let index = proof.chunkIndex;
  for (const sibling of proof.siblings) {
    hash = index % 2 === 0 ? nodeHash(hash, sibling) : nodeHash(sibling, hash);
    index = Math.floor(index / 2);
  }
  return index === 0 && hash.toLowerCase() === root.toLowerCase();
}
