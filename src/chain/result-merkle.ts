/**
 * Merkle trees over inference results, bit-for-bit what contracts/libraries/LibResultMerkle.sol
 * verifies (OpenZeppelin `StandardMerkleTree` conventions):
 *
 * - leaf   = keccak256(keccak256(abi.encode(requestId, modelCommitment, inputCommitment,
 *            outputCommitment, traceCommitment, worker)))  (double hash: a leaf's outer preimage is
 *            32 bytes, an internal node's 64, so no internal node can pass as a leaf)
 * - parent = keccak256(min(a, b) ++ max(a, b))  (sorted pair: proofs carry no direction bits)
 * - levels are built left to right from the leaves in the given order; an odd last node is promoted
 *   unchanged (never duplicated, which would let two different leaf lists share a root).
 *
 * Framework-free: viem's hashing and ABI encoding only.
 */
import { concat, encodeAbiParameters, hexToBigInt, keccak256, parseAbiParameters, type Address, type Hex } from 'viem';
import { commitTensor } from '../engine';

export interface ResultLeaf {
  requestId: Hex;
  modelCommitment: Hex;
  inputCommitment: Hex;
  outputCommitment: Hex;
  traceCommitment: Hex;
  worker: Address;
}

export interface ResultMerkleTree {
  root: Hex;
  /** Leaf hashes, in the order the leaves were given. */
  leafHashes: readonly Hex[];
  /** Sibling hashes from leaf `index` up to the root (empty for a one-leaf tree). */
  proof(index: number): Hex[];
}

const RESULT_LEAF_PARAMETERS = parseAbiParameters(
  'bytes32 requestId, bytes32 modelCommitment, bytes32 inputCommitment, bytes32 outputCommitment, bytes32 traceCommitment, address worker',
);

/** The output's tensor root (format v3): the output commitment Settlement.reveal checks. */
export function outputCommitment(output: readonly bigint[]): Hex {
  return commitTensor(output);
}

/** The leaf hash of one result (Settlement.hashResultLeaf computes the same). */
export function hashResultLeaf(leaf: ResultLeaf): Hex {
  const encoded = encodeAbiParameters(RESULT_LEAF_PARAMETERS, [
    leaf.requestId,
    leaf.modelCommitment,
    leaf.inputCommitment,
    leaf.outputCommitment,
    leaf.traceCommitment,
    leaf.worker,
  ]);
  return keccak256(keccak256(encoded));
}

/** keccak256 of the two nodes in ascending order. */
export function hashPair(a: Hex, b: Hex): Hex {
  return hexToBigInt(a) < hexToBigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/** Builds the tree over `leaves` (at least one) in their given order. */
export function buildResultTree(leaves: readonly ResultLeaf[]): ResultMerkleTree {
  if (leaves.length === 0) throw new RangeError('a result batch needs at least one leaf');
  const leafHashes = leaves.map(hashResultLeaf);
  const levels: Hex[][] = [leafHashes];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const level: Hex[] = [];
    for (let i = 0; i < below.length; i += 2) {
      level.push(i + 1 < below.length ? hashPair(below[i], below[i + 1]) : below[i]);
    }
    levels.push(level);
  }
  const root = levels[levels.length - 1][0];
  return {
    root,
    leafHashes,
    proof(index: number): Hex[] {
      if (!Number.isInteger(index) || index < 0 || index >= leafHashes.length) {
        throw new RangeError(`leaf index ${index} is outside the batch (0..${leafHashes.length - 1})`);
      }
      const proof: Hex[] = [];
      let position = index;
      for (const level of levels.slice(0, -1)) {
        const sibling = position ^ 1;
        if (sibling < level.length) proof.push(level[sibling]);
        position >>= 1;
      }
      return proof;
    },
  };
}

/** Whether `proof` links `leafHash` to `root` (what LibResultMerkle.verify checks). */
export function verifyResultProof(leafHash: Hex, proof: readonly Hex[], root: Hex): boolean {
  const computed = proof.reduce<Hex>((node, sibling) => hashPair(node, sibling), leafHash);
  return computed.toLowerCase() === root.toLowerCase();
}
