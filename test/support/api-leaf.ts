import { getAddress, type Hex } from 'viem';
import type { OpenDisputeArgs } from '../../src/chain/dispute-client';
import { commitModel, type QuantizedModel } from '../../src/engine';

/** The fields of an inference, as the API serves them, that a dispute on its leaf needs. */
export interface ApiLeafRow {
  requestId: Hex;
  worker?: string | null;
  workerSignature?: Hex | null;
  inputCommitment: Hex;
  outputCommitment?: Hex | null;
  traceCommitment?: Hex | null;
  leafProof?: Hex[] | null;
  batch?: { chainBatchId?: string | null } | null;
}

/** The arguments of `open` for a row's leaf, from the data the API serves and the model's commitment. */
export function openArgsFromApi(model: QuantizedModel, row: ApiLeafRow): Omit<OpenDisputeArgs, 'bondWei'> {
  const commitment = commitModel(model);
  return {
    batchId: BigInt(row.batch!.chainBatchId!),
    leaf: {
      requestId: row.requestId,
      modelCommitment: commitment.commitment,
      inputCommitment: row.inputCommitment,
      outputCommitment: row.outputCommitment!,
      traceCommitment: row.traceCommitment!,
      worker: getAddress(row.worker!),
    },
    leafProof: row.leafProof!,
    parts: {
      headerHash: commitment.headerHash,
      parametersRoot: commitment.parametersRoot,
      parameterCount: BigInt(commitment.parameterCount),
      stepsRoot: commitment.stepsRoot,
      stepCount: BigInt(commitment.stepCount),
    },
    workerSignature: row.workerSignature!,
  };
}
