/**
 * Turns what the API says about a result into something worth a bond, or refuses it. The API is
 * not trusted: before the challenger recomputes a result, the leaf must be the one the API's
 * fields hash to (hashResultLeaf == leafHash) and signed by its worker, the served model must
 * commit (commitModel) to the leaf's model commitment, and the input and output must be the
 * preimages of the leaf's commitments; before it opens a dispute, the proof must link the leaf to
 * the batch root read on-chain (Settlement.batchRootAndWindow) and the window must still be open
 * at the latest block. Each refusal says which check failed. Pure: the caller does the reads.
 */
import { getAddress, type Address, type Hex, type TypedDataDomain } from 'viem';
import type { ModelParts } from '../chain/dispute-client';
import { hashResultLeaf, verifyResultProof, type ResultLeaf } from '../chain/result-merkle';
import { canonicalSignature } from '../chain/signature';
import { recoverResultSigner } from '../chain/typed-data';
import {
  checkFixedInput,
  commitModel,
  commitTensor,
  type ModelCommitment,
  type QuantizedModel,
  stepsTree,
  type StepsTree,
} from '../engine';
import type { ApiInference, ApiModel } from './challenger-api-client';
import { ChallengerError, refuse } from './challenger.errors';

/** A model the challenger checked itself: the JSON the API served commits to `commitment.commitment`. */
export interface VerifiedModel {
  id: string;
  model: QuantizedModel;
  commitment: ModelCommitment;
  parts: ModelParts;
  steps: StepsTree;
}

/** A result whose leaf, signature, model, input and output all check out. */
export interface CheckedResult {
  inferenceId: string;
  requestId: Hex;
  leaf: ResultLeaf;
  leafHash: Hex;
  workerSignature: Hex;
  chainBatchId: bigint;
  model: VerifiedModel;
  inputFixed: Float64Array;
  /** The output the leaf commits to (what challengeOutput posts). */
  committedOutput: bigint[];
}

/** A checked result that can be disputed now: its proof links it to the on-chain batch root. */
export interface ChallengeTarget extends CheckedResult {
  leafProof: Hex[];
  challengeEndsAt: bigint;
}

/** The batch as Settlement.batchRootAndWindow returns it (zero root: unknown batch). */
export interface BatchWindow {
  root: Hex;
  challengeEndsAt: bigint;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const INTEGER = /^-?[0-9]+$/;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Parses the served model and checks it commits to what the API says (the leaf is checked later). */
export function verifyModel(served: ApiModel): VerifiedModel {
  let model: QuantizedModel;
  let commitment: ModelCommitment;
  try {
    model = JSON.parse(served.quantizedJson) as QuantizedModel;
    commitment = commitModel(model);
  } catch (cause) {
    throw new ChallengerError(
      'TARGET_REFUSED',
      `model ${served.id}: quantizedJson is not a quantized model`,
      {},
      { cause },
    );
  }
  if (!same(commitment.commitment, served.commitment)) {
    throw new ChallengerError(
      'TARGET_REFUSED',
      `model ${served.id}: the served model commits to ${commitment.commitment}, the API says ${served.commitment}`,
    );
  }
  return {
    id: served.id,
    model,
    commitment,
    parts: {
      headerHash: commitment.headerHash,
      parametersRoot: commitment.parametersRoot,
      parameterCount: BigInt(commitment.parameterCount),
      stepsRoot: commitment.stepsRoot,
      stepCount: BigInt(commitment.stepCount),
    },
    steps: stepsTree(model),
  };
}

/** Whether the API shows a complete result in a batch committed on-chain (else: not yet, look again later). */
export function isCommittedResult(inference: ApiInference): boolean {
  return Boolean(
    inference.leafHash &&
    inference.outputCommitment &&
    inference.traceCommitment &&
    inference.worker &&
    inference.batch?.status === 'COMMITTED' &&
    inference.batch.chainBatchId,
  );
}

/** The leaf the API's fields describe, checked field by field. */
function leafOf(inference: ApiInference): ResultLeaf {
  const { requestId } = inference;
  const fields = [
    'requestId',
    'modelCommitment',
    'inputCommitment',
    'outputCommitment',
    'traceCommitment',
  ] as const;
  for (const field of fields) {
    const value = inference[field];
    if (typeof value !== 'string' || !BYTES32.test(value))
      throw refuse(requestId, `its ${field} is not a bytes32`);
  }
  let worker: Address;
  try {
    worker = getAddress(inference.worker ?? '');
  } catch {
    throw refuse(requestId, `its worker ${String(inference.worker)} is not an address`);
  }
  return {
    requestId: inference.requestId,
    modelCommitment: inference.modelCommitment,
    inputCommitment: inference.inputCommitment,
    outputCommitment: inference.outputCommitment as Hex,
    traceCommitment: inference.traceCommitment as Hex,
    worker,
  };
}

/** Decimal integers as a fixed-point tensor, refusing anything else. */
function integers(requestId: string, what: string, values: unknown): bigint[] {
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string' && INTEGER.test(v)))
    throw refuse(requestId, `its ${what} is not a list of decimal integers`);
  return values.map((v: string) => BigInt(v));
}

/**
 * Checks everything the API says about one committed result except its batch membership (see
 * checkInclusion): the leaf hash, the worker's signature (EIP-712 `Result` in `domain`), the model,
 * the input and the output.
 */
export async function checkResult(
  inference: ApiInference,
  model: VerifiedModel,
  domain: TypedDataDomain,
): Promise<CheckedResult> {
  const { requestId } = inference;
  if (!isCommittedResult(inference))
    throw refuse(requestId, 'it is not a complete result in a committed batch');
  const leaf = leafOf(inference);
  const leafHash = hashResultLeaf(leaf);
  if (!same(leafHash, inference.leafHash ?? ''))
    throw refuse(requestId, `its fields hash to leaf ${leafHash}, the API says ${inference.leafHash}`);
  if (!same(model.commitment.commitment, leaf.modelCommitment))
    throw refuse(
      requestId,
      `model ${model.id} commits to ${model.commitment.commitment}, the leaf names ${leaf.modelCommitment}`,
    );
  // The contracts take only the canonical form (LibSignature). A result the API stored before it
  // enforced that rule, or an API that does not, may carry a malleated form (high s, v as 0 or 1):
  // its canonical twin is the same worker's signature of the same leaf, so the dispute is opened
  // with the twin instead of letting a wrong result go final because `open` would revert.
  const served = inference.workerSignature ?? '0x';
  const signature = canonicalSignature(served) ?? served;
  const signer = await recoverResultSigner(domain, leaf, signature);
  if (!signer || !same(signer, leaf.worker))
    throw refuse(requestId, `its worker signature does not recover to ${leaf.worker}`);
  const input = integers(requestId, 'inputFixed', inference.inputFixed);
  if (!same(commitTensor(input), leaf.inputCommitment))
    throw refuse(requestId, `its inputFixed does not hash to the input commitment ${leaf.inputCommitment}`);
  const output = integers(requestId, 'outputFixed', inference.outputFixed);
  if (!same(commitTensor(output), leaf.outputCommitment))
    throw refuse(
      requestId,
      `its outputFixed does not hash to the output commitment ${leaf.outputCommitment}`,
    );
  const inputFixed = Float64Array.from(input, Number);
  try {
    checkFixedInput(model.model, inputFixed);
  } catch (cause) {
    throw refuse(
      requestId,
      `its input is not a valid input of model ${model.id} (${(cause as Error).message})`,
    );
  }
  return {
    inferenceId: inference.id,
    requestId: leaf.requestId,
    leaf,
    leafHash,
    workerSignature: signature,
    chainBatchId: BigInt(inference.batch?.chainBatchId ?? '0'),
    model,
    inputFixed,
    committedOutput: output,
  };
}

/** Checks the leaf proof against the batch root read on-chain and that the window is open at `now` (latest block). */
export function checkInclusion(
  result: CheckedResult,
  leafProof: readonly Hex[] | null,
  batch: BatchWindow,
  now: bigint,
): ChallengeTarget {
  const { requestId, chainBatchId } = result;
  if (/^0x0*$/.test(batch.root)) throw refuse(requestId, `Settlement knows no batch ${chainBatchId}`);
  if (!leafProof || !leafProof.every((node) => BYTES32.test(node)))
    throw refuse(requestId, 'the API gives no leaf proof for it');
  if (!verifyResultProof(result.leafHash, leafProof, batch.root))
    throw refuse(
      requestId,
      `its leaf proof does not lead to the root of batch ${chainBatchId} on-chain (${batch.root})`,
    );
  if (now >= batch.challengeEndsAt) {
    throw new ChallengerError(
      'WINDOW_CLOSED',
      `request ${requestId}: the challenge window of batch ${chainBatchId} closed at ${batch.challengeEndsAt} (latest block ${now}); it can no longer be disputed`,
      { requestId, chainBatchId: chainBatchId.toString() },
    );
  }
  return { ...result, leafProof: [...leafProof], challengeEndsAt: batch.challengeEndsAt };
}
