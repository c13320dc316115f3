/**
 * Model and tensor commitments (docs/semantics.md, "Commitments"):
 *   headerHash      = keccak256(utf8(canonicalJson(header)))
 *   parametersRoot  = Merkle root over the parameter vector in chunks of 16 int256
 *   modelCommitment = keccak256(abi.encode(bytes32 headerHash, bytes32 parametersRoot, uint256 parameterCount))
 *   tensorCommitment(values) = keccak256(abi.encode(int256[] values))
 */
import { type Hex, encodeAbiParameters, keccak256, stringToBytes } from 'viem';
import { PARAMETER_CHUNK_SIZE_VALUES, QUANTIZED_MODEL_FORMAT_VERSION } from '../engine.constants';
import { EngineError } from '../engine.errors';
import type { IntLike } from '../fixed-point/fixed-point-arith';
import type { QuantizedModel, QuantStep } from '../quantize/quantized-model.types';
import { canonicalJson } from './canonical-json';
import { type MerkleProof, chunkValues, leafHash, merkleLevels, merkleRootOfLevels, proofFromLevels } from './merkle-tree';

/** Which step fields hold parameters (moved to the Merkle tree, in this order). */
const PARAMETER_FIELDS: Partial<Record<QuantStep['op'], string[]>> = {
  linear: ['weights', 'bias'],
  conv: ['weights', 'bias'],
  affine: ['scale', 'shift'],
  addConst: ['values'],
};

export interface ModelCommitment {
  commitment: Hex;
  headerHash: Hex;
  parametersRoot: Hex;
  parameterCount: number;
  chunkCount: number;
  chunkSizeValues: number;
}

/** The header (architecture) and the flat parameter vector of a model. */
export function splitModel(model: QuantizedModel): { header: unknown; parameters: bigint[] } {
  const parameters: bigint[] = [];
  const steps = model.steps.map((step) => {
    const entry: Record<string, unknown> = { ...step };
    delete entry.name;
    delete entry.onnxOp;
    for (const field of PARAMETER_FIELDS[step.op] ?? []) {
      const values = entry[field] as IntLike[];
      entry[field] = { offset: parameters.length, length: values.length };
      for (const v of values) parameters.push(BigInt(v));
    }
    return entry;
  });
  const header = {
    formatVersion: model.formatVersion,
    fractionBits: model.fractionBits,
    inputShape: model.inputShape,
    outputShape: model.outputShape,
    inputBound: String(model.inputBound),
    chunkSizeValues: PARAMETER_CHUNK_SIZE_VALUES,
    steps,
  };
  return { header, parameters };
}

export function headerHash(model: QuantizedModel): Hex {
  return keccak256(stringToBytes(canonicalJson(splitModel(model).header)));
}

function parameterLevels(parameters: bigint[]): { chunks: bigint[][]; levels: Hex[][] } {
  const chunks = chunkValues(parameters);
  return { chunks, levels: merkleLevels(chunks.map((c, i) => leafHash(i, c))) };
}

export function commitModel(model: QuantizedModel): ModelCommitment {
  if (model.formatVersion !== QUANTIZED_MODEL_FORMAT_VERSION) {
    throw new EngineError('INVALID_QUANTIZED_MODEL', `cannot commit to format version ${model.formatVersion}`);
  }
  const { header, parameters } = splitModel(model);
  const hHash = keccak256(stringToBytes(canonicalJson(header)));
  const { chunks, levels } = parameterLevels(parameters);
  const parametersRoot = merkleRootOfLevels(levels);
  const commitment = keccak256(
    encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }], [hHash, parametersRoot, BigInt(parameters.length)]),
  );
  return { commitment, headerHash: hHash, parametersRoot, parameterCount: parameters.length, chunkCount: chunks.length, chunkSizeValues: PARAMETER_CHUNK_SIZE_VALUES };
}

/** Merkle proof that chunk `chunkIndex` (parameters [16i, 16i + 16)) is in the model's parameter root. */
export function merkleProof(model: QuantizedModel, chunkIndex: number): MerkleProof {
  const { chunks, levels } = parameterLevels(splitModel(model).parameters);
  if (!Number.isInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= chunks.length) {
    throw new EngineError('INVALID_ARGUMENT', `chunk ${chunkIndex} does not exist; the model has ${chunks.length} parameter chunks`);
  }
  return proofFromLevels(levels, chunkIndex, chunks[chunkIndex]);
}

/** keccak256(abi.encode(int256[] values)), written in tensor-commitment.ts; re-exported for existing imports. */
export { commitTensor } from './tensor-commitment';
