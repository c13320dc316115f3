import { concat, encodeAbiParameters, keccak256, type Hex } from 'viem';
import {
  buildResultTree,
  hashPair,
  hashResultLeaf,
  outputCommitment,
  verifyResultProof,
  type ResultLeaf,
} from './result-merkle';
import { tensorRoot } from '../engine';

const WORKER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const word = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;

function leaf(n: number): ResultLeaf {
  return {
    requestId: word(n),
    modelCommitment: word(1000),
    inputCommitment: word(2000 + n),
    outputCommitment: outputCommitment([BigInt(n), -BigInt(n)]),
    traceCommitment: word(3000 + n),
    worker: WORKER,
  };
}

describe('result Merkle trees', () => {
  it('hashes a leaf as keccak256(keccak256(abi.encode(fields)))', () => {
    const l = leaf(7);
    const encoded = encodeAbiParameters(
      [
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'address' },
      ],
      [l.requestId, l.modelCommitment, l.inputCommitment, l.outputCommitment, l.traceCommitment, l.worker],
    );
    expect(encoded.length).toBe(2 + 2 * 192);
    expect(hashResultLeaf(l)).toBe(keccak256(keccak256(encoded)));
  });

  it('commits an output as its tensor root (format v3)', () => {
    expect(outputCommitment([1n, -1n])).toBe(tensorRoot([1n, -1n]));
    expect(outputCommitment([1n, -1n])).not.toBe(outputCommitment([-1n, 1n]));
    // a tensor root does not bind the length past the last non-zero chunk value: Settlement.reveal
    // checks the output length against the model's.
    expect(outputCommitment([1n, 0n])).toBe(outputCommitment([1n]));
  });

  it('hashes pairs in sorted order, so a pair hashes the same either way round', () => {
    const [a, b] = [word(1), word(2)];
    expect(hashPair(a, b)).toBe(hashPair(b, a));
    expect(hashPair(b, a)).toBe(keccak256(concat([a, b])));
  });

  it('uses the leaf hash itself as the root of a one-leaf batch, with an empty proof', () => {
    const tree = buildResultTree([leaf(1)]);
    expect(tree.root).toBe(hashResultLeaf(leaf(1)));
    expect(tree.proof(0)).toEqual([]);
  });

  it('gives a proof that verifies for every leaf of batches of 1 to 33 results', () => {
    for (let size = 1; size <= 33; size++) {
      const tree = buildResultTree(Array.from({ length: size }, (_, i) => leaf(i)));
      for (let i = 0; i < size; i++) {
        const proof = tree.proof(i);
        expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)));
        expect(verifyResultProof(tree.leafHashes[i], proof, tree.root)).toBe(true);
      }
    }
  });

  it('promotes an odd last node instead of duplicating it', () => {
    const three = buildResultTree([leaf(0), leaf(1), leaf(2)]);
    const [h0, h1, h2] = three.leafHashes;
    expect(three.root).toBe(hashPair(hashPair(h0, h1), h2));
    expect(buildResultTree([leaf(0), leaf(1), leaf(2), leaf(2)]).root).not.toBe(three.root);
  });

  it('rejects a proof for another leaf, another root or a tampered field', () => {
    const tree = buildResultTree(Array.from({ length: 8 }, (_, i) => leaf(i)));
    const other = buildResultTree(Array.from({ length: 8 }, (_, i) => leaf(i + 100)));
    expect(verifyResultProof(tree.leafHashes[1], tree.proof(0), tree.root)).toBe(false);
    expect(verifyResultProof(tree.leafHashes[0], tree.proof(0), other.root)).toBe(false);
    const tampered = hashResultLeaf({ ...leaf(0), outputCommitment: outputCommitment([7n]) });
    expect(verifyResultProof(tampered, tree.proof(0), tree.root)).toBe(false);
  });

  it('verifies an internal node with a shortened proof, which is why reveal hashes the leaf from its fields', () => {
    const tree = buildResultTree(Array.from({ length: 4 }, (_, i) => leaf(i)));
    const internal = hashPair(tree.leafHashes[0], tree.leafHashes[1]);
    // Settlement never takes a leaf hash as input; leaf fields hash (twice) to a 32-byte preimage,
    // never to the 64-byte preimage of this node.
    expect(verifyResultProof(internal, tree.proof(0).slice(1), tree.root)).toBe(true);
    expect(tree.leafHashes).not.toContain(internal);
  });

  it('refuses an empty batch and an index outside the batch', () => {
    expect(() => buildResultTree([])).toThrow('at least one leaf');
    expect(() => buildResultTree([leaf(0)]).proof(1)).toThrow('outside the batch');
  });
});
