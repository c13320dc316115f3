/**
 * Model commitment (docs/semantics.md sections 8 and 11, format versions 2 and 3, unchanged in 3):
 *   headerHash      = keccak256(utf8(canonicalJson(header)))
 *   parametersRoot  = tensor root of the parameter vector (chunks of 16 int256)
 *   stepsRoot       = Merkle root over the step descriptors (step-descriptor.ts)
 *   modelCommitment = keccak256(abi.encode(bytes32 headerHash, bytes32 parametersRoot,
 *                       uint256 parameterCount, bytes32 stepsRoot, uint256 stepCount))
 */
import { type Hex, encodeAbiParameters, keccak256, stringToBytes } from 'viem';
import { PARAMETER_CHUNK_SIZE_VALUES, QUANTIZED_MODEL_FORMAT_VERSION } from '../engine.constants';
import { EngineError } from '../engine.errors';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { canonicalJson } from './canonical-json';
import type { MerkleProof } from './merkle-tree';
import { splitModel } from './model-header';
import { stepsTree } from './step-descriptor';
import { ChunkTree } from './tensor-root';

export { splitModel } from './model-header';

/** Format version of the commitments of sections 8, 9 and 11. */
export const COMMITMENT_FORMAT_VERSION = 3;

export interface ModelCommitment {
  commitment: Hex;
  headerHash: Hex;
  parametersRoot: Hex;
  parameterCount: number;
  stepsRoot: Hex;
  stepCount: number;
  chunkCount: number;
  chunkSizeValues: number;
}

const COMMITMENT_ABI = [
  { type: 'bytes32' },
  { type: 'bytes32' },
  { type: 'uint256' },
  { type: 'bytes32' },
  { type: 'uint256' },
] as const;

export function headerHash(model: QuantizedModel): Hex {
  return keccak256(stringToBytes(canonicalJson(splitModel(model).header)));
}

/** keccak256(abi.encode(headerHash, parametersRoot, parameterCount, stepsRoot, stepCount)): what the dispute game recomputes. */
export function modelCommitmentOf(parts: {
  headerHash: Hex;
  parametersRoot: Hex;
  parameterCount: number | bigint;
  stepsRoot: Hex;
  stepCount: number | bigint;
}): Hex {
  return keccak256(
    encodeAbiParameters(COMMITMENT_ABI, [
      parts.headerHash,
      parts.parametersRoot,
      BigInt(parts.parameterCount),
      parts.stepsRoot,
      BigInt(parts.stepCount),
    ]),
  );
}

export function commitModel(model: QuantizedModel): ModelCommitment {
  if (model.formatVersion !== QUANTIZED_MODEL_FORMAT_VERSION) {
    throw new EngineError(
      'INVALID_QUANTIZED_MODEL',
      `cannot commit to format version ${model.formatVersion}`,
    );
  }
  const { header, parameters } = splitModel(model);
  const parts = {
    headerHash: keccak256(stringToBytes(canonicalJson(header))),
    parametersRoot: new ChunkTree(parameters).root,
    parameterCount: parameters.length,
    ...(({ root, stepCount }) => ({ stepsRoot: root, stepCount }))(stepsTree(model)),
  };
  return {
    commitment: modelCommitmentOf(parts),
    ...parts,
    chunkCount: Math.ceil(parameters.length / PARAMETER_CHUNK_SIZE_VALUES),
    chunkSizeValues: PARAMETER_CHUNK_SIZE_VALUES,
  };
}

/** Merkle proof that chunk `chunkIndex` (parameters [16i, 16i + 16)) is in the model's parameter root. */
export function merkleProof(model: QuantizedModel, chunkIndex: number): MerkleProof {
  const tree = new ChunkTree(splitModel(model).parameters);
  if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= tree.chunkCount) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `chunk ${chunkIndex} does not exist; the model has ${tree.chunkCount} parameter chunks`,
    );
  }
  return tree.proof(chunkIndex);
}

/** The tensor root of an input or output (format v3), written in tensor-commitment.ts; re-exported for existing imports. */
export { commitTensor } from './tensor-commitment';
