/**
 * The pure helpers both parties of a dispute need: a model's and a trace's commitments, the chunk
 * leaves and root of a tensor, one chunk's values, and the first place two lists differ.
 */
import type { Hex } from 'viem';
import {
  chunkValues,
  leafHash,
  merkleLevels,
  merkleRootOfLevels,
  modelCommitmentOf as engineModelCommitmentOf,
  traceCommitmentFromRoots,
} from '../engine';
import { DISPUTE_CHUNK_SIZE_VALUES } from './dispute-game';

/** The preimage of a model commitment (format v2). */
export interface ModelParts {
  headerHash: Hex;
  parametersRoot: Hex;
  parameterCount: bigint;
  stepsRoot: Hex;
  stepCount: bigint;
}

/** keccak256(abi.encode(headerHash, parametersRoot, parameterCount, stepsRoot, stepCount)): the engine's definition. */
export function modelCommitmentOf(parts: ModelParts): Hex {
  return engineModelCommitmentOf(parts);
}

/** The trace commitment (format v3): the Merkle root over the tensor roots. */
export function traceCommitmentOf(tensorRoots: readonly Hex[]): Hex {
  return traceCommitmentFromRoots(tensorRoots);
}

/** The chunk leaves of a tensor, in order (the leaves of its chunk tree; their root is the tensor root). */
export function chunkLeaves(values: readonly bigint[]): Hex[] {
  return chunkValues(values).map((chunk, index) => leafHash(index, chunk));
}

/** The tensor root over chunk leaves (LibTensorRoot.rootFromLeaves). */
export function rootFromChunkLeaves(leaves: readonly Hex[]): Hex {
  return merkleRootOfLevels(merkleLevels([...leaves]));
}

/** The 16 values of chunk `chunkIndex` of a tensor, zero-padded (what revealChunkValues posts). */
export function chunkAt(values: readonly bigint[], chunkIndex: number): bigint[] {
  const chunk = values.slice(
    chunkIndex * DISPUTE_CHUNK_SIZE_VALUES,
    (chunkIndex + 1) * DISPUTE_CHUNK_SIZE_VALUES,
  );
  while (chunk.length < DISPUTE_CHUNK_SIZE_VALUES) chunk.push(0n);
  return chunk;
}

/** The first index at which two lists differ (case-insensitive for hex), or -1 when they agree. */
export function firstDifference<T extends Hex | bigint>(ours: readonly T[], theirs: readonly T[]): number {
  const same = (a: T, b: T) =>
    typeof a === 'string' ? a.toLowerCase() === String(b).toLowerCase() : a === b;
  const length = Math.max(ours.length, theirs.length);
  for (let i = 0; i < length; i++) {
    if (i >= ours.length || i >= theirs.length || !same(ours[i], theirs[i])) return i;
  }
  return -1;
}
