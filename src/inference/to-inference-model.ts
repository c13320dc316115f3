import type { Hex } from 'viem';
import { hashResultLeaf } from '../chain/result-merkle';
import { clientText } from '../common/client-text';
import { dequantize } from '../engine';
import { toResultLeaf } from '../result-batches/batch-leaves';
import type { ResultBatchEntity } from '../result-batches/result-batch.entity';
import type { Inference, ResultBatch } from './dto/inference.model';
import type { InferenceEntity } from './inference.entity';
import type { CatalogModel } from './model-catalog';

/** Maps the table rows to the API type (pure); the service's own text without server paths or URLs. */
export function toInferenceModel(
  row: InferenceEntity,
  model: CatalogModel,
  batch: ResultBatchEntity | null,
): Inference {
  const toReal = (values: readonly string[]) => dequantize(model.quantized, values.map(Number));
  return {
    id: row.id,
    requestId: row.requestId,
    modelId: row.modelId,
    modelCommitment: model.commitment,
    mode: row.mode,
    origin: row.origin,
    status: row.status,
    input: toReal(row.inputFixed),
    inputFixed: row.inputFixed,
    inputCommitment: row.inputCommitment,
    output: row.outputFixed ? toReal(row.outputFixed) : null,
    outputFixed: row.outputFixed,
    outputCommitment: row.outputCommitment,
    traceCommitment: row.traceCommitment,
    worker: row.workerAddress,
    workerSignature: row.workerSignature,
    backend: row.backend,
    attempts: row.attempts,
    batch: batch ? toResultBatch(batch) : null,
    leafIndex: row.leafIndex,
    leafHash: leafHashOf(row, model.commitment),
    requestTx: row.requestTx,
    revealTx: row.revealTx,
    finalizeTx: row.finalizeTx,
    challengeEndsAt: row.challengeEndsAt,
    proof:
      row.zkProof && row.zkPublicSignals && row.zkCircuitId
        ? {
            proof: JSON.stringify(row.zkProof),
            publicSignals: row.zkPublicSignals,
            inputCommitment: row.zkInputCommitment ?? row.zkPublicSignals[0],
            circuitId: row.zkCircuitId,
            settleTx: row.settleTx,
          }
        : null,
    provingStage: row.provingStage === null ? null : clientText(row.provingStage),
    error: row.errorCode ? { code: row.errorCode, message: clientText(row.errorMessage ?? '') } : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    computedAt: row.computedAt,
    committedAt: row.committedAt,
    finalAt: row.finalAt,
  };
}

/** The hash of the leaf the worker signed, once the row holds a complete result (else null). */
export function leafHashOf(row: InferenceEntity, modelCommitment: string): Hex | null {
  if (!row.outputCommitment || !row.traceCommitment || !row.workerAddress) return null;
  return hashResultLeaf(
    toResultLeaf({
      id: row.id,
      request_id: row.requestId,
      model_commitment: modelCommitment,
      input_commitment: row.inputCommitment,
      output_commitment: row.outputCommitment,
      trace_commitment: row.traceCommitment,
      worker_address: row.workerAddress,
    }),
  );
}

function toResultBatch(batch: ResultBatchEntity): ResultBatch {
  return {
    id: batch.id,
    root: batch.root,
    leafCount: batch.leafCount,
    status: batch.status,
    chainBatchId: batch.chainBatchId,
    txHash: batch.txHash,
    blockNumber: batch.blockNumber,
    committedAt: batch.committedAt,
  };
}
