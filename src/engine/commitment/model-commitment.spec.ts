import { encodeAbiParameters, keccak256 } from 'viem';
import { importOnnx } from '../onnx/onnx-import';
import { quantize } from '../quantize/quantize';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { buildRandomMlp } from '../testing/float-model-builder';
import { verifyMerkleProof } from './merkle-tree';
import { commitModel, commitTensor, merkleProof, modelCommitmentOf, splitModel } from './model-commitment';
import { stepsRoot } from './step-descriptor';
import { tensorRoot } from './tensor-root';

describe('model and tensor commitments', () => {
  const model = quantize(importOnnx(buildRandomMlp([7, 5, 3])));
  const commitment = commitModel(model);
  const clone = (): QuantizedModel => JSON.parse(JSON.stringify(model));

  it('counts every weight and bias as a parameter, in chunks of 16', () => {
    expect(commitment.parameterCount).toBe(7 * 5 + 5 + 5 * 3 + 3);
    expect(commitment.chunkCount).toBe(Math.ceil(58 / 16));
  });

  it('is keccak256(abi.encode(headerHash, parametersRoot, parameterCount, stepsRoot, stepCount)) (format version 2)', () => {
    expect(commitment.stepCount).toBe(3);
    expect(commitment.stepsRoot).toBe(stepsRoot(model));
    expect(commitment.parametersRoot).toBe(tensorRoot(splitModel(model).parameters));
    const expected = keccak256(
      encodeAbiParameters(
        [
          { type: 'bytes32' },
          { type: 'bytes32' },
          { type: 'uint256' },
          { type: 'bytes32' },
          { type: 'uint256' },
        ],
        [commitment.headerHash, commitment.parametersRoot, 58n, commitment.stepsRoot, 3n],
      ),
    );
    expect(commitment.commitment).toBe(expected);
    expect(modelCommitmentOf(commitment)).toBe(expected);
  });

  it('is stable across a JSON round trip of the quantized model', () => {
    expect(commitModel(clone())).toEqual(commitment);
  });

  it('verifies a Merkle proof for every chunk and rejects a proof with a changed value', () => {
    for (let i = 0; i < commitment.chunkCount; i++) {
      const proof = merkleProof(model, i);
      expect(verifyMerkleProof(commitment.parametersRoot, proof)).toBe(true);
      const forged = { ...proof, values: proof.values.map((v, k) => (k === 0 ? String(BigInt(v) + 1n) : v)) };
      expect(verifyMerkleProof(commitment.parametersRoot, forged)).toBe(false);
      expect(
        verifyMerkleProof(commitment.parametersRoot, {
          ...proof,
          chunkIndex: (i + 1) % commitment.chunkCount,
        }),
      ).toBe(false);
    }
  });

  it('puts the parameters into the chunk at their offset', () => {
    const { parameters } = splitModel(model);
    expect(merkleProof(model, 1).values.slice(0, 16)).toEqual(parameters.slice(16, 32).map(String));
  });

  it('changes the commitment when one weight, the fraction or the input bound changes', () => {
    const weight = clone();
    if (weight.steps[0].op === 'linear') weight.steps[0].weights[3] = Number(weight.steps[0].weights[3]) + 1;
    expect(commitModel(weight).parametersRoot).not.toBe(commitment.parametersRoot);
    expect(commitModel(weight).stepsRoot).toBe(commitment.stepsRoot);
    const fraction = clone();
    fraction.fractionBits -= 1;
    expect(commitModel(fraction).stepsRoot).not.toBe(commitment.stepsRoot);
    const bound = clone();
    bound.inputBound = Number(bound.inputBound) * 2;
    expect(commitModel(bound).headerHash).not.toBe(commitment.headerHash);
    expect(commitModel(bound).commitment).not.toBe(commitment.commitment);
  });

  it('commits to a tensor as its tensor root (format v3)', () => {
    const expected = tensorRoot([-3n, 0n, 5n]);
    expect(commitTensor([-3, 0, 5])).toBe(expected);
    expect(commitTensor([-3n, 0n, 5n])).toBe(expected);
  });
});
