/**
 * Tensor roots (docs/semantics.md sections 8 and 11, format versions 2 and 3): the values of a tensor (or
 * of the parameter vector, or of a step's index table), flat and row-major, in chunks of 16 int256
 * (the last chunk zero-padded); leaf_c = keccak256(abi.encode(uint256 c, int256[16] chunk_c));
 * leaves padded with bytes32(0) to a power of two; parent = keccak256(left ++ right). The same tree
 * as merkle-tree.ts, built on bytes (no hex per node) because a worker hashes every tensor of every
 * trace. contracts/libraries/LibTensorRoot.sol checks the same roots and proofs.
 */
import { type Hex, bytesToHex } from 'viem';
import { PARAMETER_CHUNK_SIZE_VALUES as CHUNK } from '../engine.constants';
import { EngineError } from '../engine.errors';
import { WORD_BYTES, type WordValue, keccakBytes, writeInt256Word } from './int256-word';
import type { MerkleProof } from './merkle-tree';

export type TensorValues = ArrayLike<WordValue>;

const LEAF_BYTES = (CHUNK + 1) * WORD_BYTES;
const ZERO_ROOT = new Uint8Array(WORD_BYTES);

/** A contiguous run of chunks [first, first + count) with the siblings LibTensorRoot.rangeRoot consumes. */
export interface ChunkRangeProof {
  first: number;
  /** Depth of the tree (log2 of the padded leaf count). */
  depth: number;
  /** The run's values, count * 16 of them (zero padding included). */
  values: bigint[];
  /** Level by level from the leaves up: the left neighbour (if needed), then the right one. */
  siblings: Hex[];
}

/** The leaf hashes of every chunk of `values`, back to back (32 bytes each). */
function leafLevel(values: TensorValues, width: number): Uint8Array {
  const chunks = Math.ceil(values.length / CHUNK);
  const level = new Uint8Array(width * WORD_BYTES);
  const leaf = new Uint8Array(LEAF_BYTES);
  const view = new DataView(leaf.buffer);
  for (let c = 0; c < chunks; c++) {
    leaf.fill(0);
    view.setUint32(WORD_BYTES - 4, c);
    const start = c * CHUNK;
    const end = Math.min(start + CHUNK, values.length);
    for (let i = start; i < end; i++) writeInt256Word(leaf, view, (1 + i - start) * WORD_BYTES, values[i]);
    level.set(keccakBytes(leaf), c * WORD_BYTES);
  }
  return level;
}

function paddedWidth(chunks: number): number {
  let width = 1;
  while (width < chunks) width *= 2;
  return width;
}

/** The root as 32 bytes (all zero for an empty tensor). */
export function tensorRootBytes(values: TensorValues): Uint8Array {
  const chunks = Math.ceil(values.length / CHUNK);
  if (chunks === 0) return ZERO_ROOT.slice();
  let width = paddedWidth(chunks);
  const level = leafLevel(values, width);
  while (width > 1) {
    width /= 2;
    for (let i = 0; i < width; i++)
      level.set(keccakBytes(level.subarray(2 * i * WORD_BYTES, (2 * i + 2) * WORD_BYTES)), i * WORD_BYTES);
  }
  return level.slice(0, WORD_BYTES);
}

/** The tensor root of `values` (bytes32(0) for an empty tensor). */
export function tensorRoot(values: TensorValues): Hex {
  return bytesToHex(tensorRootBytes(values));
}

/** Every level of one chunk tree, kept to answer proofs (parameters, tensors, index tables). */
export class ChunkTree {
  readonly chunkCount: number;
  readonly depth: number;
  readonly root: Hex;
  private readonly levels: Uint8Array[];
  private readonly values: bigint[];

  constructor(values: TensorValues) {
    this.values = Array.from(values, (v) => BigInt(v));
    this.chunkCount = Math.ceil(values.length / CHUNK);
    let width = paddedWidth(this.chunkCount);
    this.levels = [leafLevel(values, width)];
    while (width > 1) {
      width /= 2;
      const below = this.levels[this.levels.length - 1];
      const above = new Uint8Array(width * WORD_BYTES);
      for (let i = 0; i < width; i++)
        above.set(keccakBytes(below.subarray(2 * i * WORD_BYTES, (2 * i + 2) * WORD_BYTES)), i * WORD_BYTES);
      this.levels.push(above);
    }
    this.depth = this.levels.length - 1;
    this.root = this.chunkCount === 0 ? bytesToHex(ZERO_ROOT) : this.node(this.depth, 0);
  }

  private node(level: number, index: number): Hex {
    return bytesToHex(this.levels[level].subarray(index * WORD_BYTES, (index + 1) * WORD_BYTES));
  }

  /** The 16 values of chunk `index`, zero-padded. */
  chunk(index: number): bigint[] {
    const out = this.values.slice(index * CHUNK, (index + 1) * CHUNK);
    while (out.length < CHUNK) out.push(0n);
    return out;
  }

  private checkRange(first: number, count: number): void {
    if (
      !Number.isInteger(first) ||
      !Number.isInteger(count) ||
      first < 0 ||
      count < 1 ||
      first + count > this.chunkCount
    ) {
      throw new EngineError(
        'INVALID_ARGUMENT',
        `chunks [${first}, ${first + count}) do not exist; the tensor has ${this.chunkCount} chunks`,
      );
    }
  }

  /** The usual single-leaf proof (siblings from the leaf level up). */
  proof(chunkIndex: number): MerkleProof {
    this.checkRange(chunkIndex, 1);
    const siblings: Hex[] = [];
    let index = chunkIndex;
    for (let level = 0; level < this.depth; level++) {
      siblings.push(this.node(level, index ^ 1));
      index >>= 1;
    }
    return { chunkIndex, values: this.chunk(chunkIndex).map(String), siblings };
  }

  /** A proof for the run of chunks [first, first + count), in LibTensorRoot.rangeRoot's order. */
  rangeProof(first: number, count: number): ChunkRangeProof {
    this.checkRange(first, count);
    const siblings: Hex[] = [];
    let a = first;
    let b = first + count;
    for (let level = 0; level < this.depth; level++) {
      if (a % 2 === 1) siblings.push(this.node(level, a - 1));
      if (b % 2 === 1) siblings.push(this.node(level, b));
      a = Math.floor(a / 2);
      b = Math.ceil(b / 2);
    }
    const values: bigint[] = [];
    for (let c = first; c < first + count; c++) values.push(...this.chunk(c));
    return { first, depth: this.depth, values, siblings };
  }
}

/** Merkle proof of chunk `chunkIndex` of a tensor against its tensor root. */
export function tensorChunkProof(values: TensorValues, chunkIndex: number): MerkleProof {
  return new ChunkTree(values).proof(chunkIndex);
}
