import type { EntityManager } from 'typeorm';
import type { Address, Hex, TypedDataDomain } from 'viem';
import { recoverResultSigner } from '../chain/typed-data';
import { sqlOnManager } from '../database/sql';
import { commitTensor } from '../engine';
import { InferenceEntity } from '../inference/inference.entity';
import { isUuid } from '../inference/inference.service';
import { transition } from '../inference/lifecycle';
import type { ModelCatalog } from '../inference/model-catalog';
import type { ResultSubmissionInput } from './dto/worker-api.types';
import { assertCanonicalSignature } from './signature-check';
import { WorkersError } from './workers.errors';

const BYTES32_PATTERN = /^0x[0-9a-fA-F]{64}$/;
const INTEGER_PATTERN = /^-?(0|[1-9]\d{0,19})$/;
/** Outputs are stored as int64; every model output is below 2^52 by its static bounds. */
const OUTPUT_LIMIT = 1n << 63n;

/** What a result is checked against: the model's output length and commitment, the EIP-712 domain. */
export interface ResultCheck {
  catalog: ModelCatalog;
  domain: TypedDataDomain;
}

/**
 * ASSIGNED → COMPUTED for one result of a submission (in the submission's transaction): the job
 * must be held by this worker under an unexpired lease, and the result carry the model's output
 * length, match its output commitment, and be signed by the worker over the exact leaf
 * (request, model, input, output, trace commitments, worker). Returns the job's id.
 */
export async function acceptResult(
  manager: EntityManager,
  { catalog, domain }: ResultCheck,
  worker: Address,
  backend: string,
  result: ResultSubmissionInput,
): Promise<string> {
  const job = isUuid(result.jobId)
    ? await manager
        .getRepository(InferenceEntity)
        .findOne({ where: { id: result.jobId }, lock: { mode: 'pessimistic_write' } })
    : null;
  if (!job)
    throw new WorkersError('JOB_NOT_FOUND', `no job with id ${result.jobId}`, { jobId: result.jobId });
  const mine = job.workerAddress?.toLowerCase() === worker.toLowerCase();
  if (job.status !== 'ASSIGNED' && mine) {
    throw new WorkersError(
      'DUPLICATE_SUBMISSION',
      `job ${job.id} already has this worker's result (status ${job.status})`,
      {
        jobId: job.id,
      },
    );
  }
  if (
    job.status !== 'ASSIGNED' ||
    !mine ||
    !job.leaseExpiresAt ||
    job.leaseExpiresAt.getTime() <= Date.now()
  ) {
    throw new WorkersError('JOB_NOT_HELD', `worker ${worker} does not hold a live lease on job ${job.id}`, {
      jobId: job.id,
    });
  }
  const model = await catalog.get(job.modelId);
  const output = parseOutput(job.id, result.outputFixed, model.outputLength);
  if (!BYTES32_PATTERN.test(result.outputCommitment) || !BYTES32_PATTERN.test(result.traceCommitment)) {
    throw new WorkersError(
      'INVALID_RESULT',
      `job ${job.id}: commitments must be bytes32 (0x and 64 hex digits)`,
    );
  }
  const computed = commitTensor(output);
  if (computed !== result.outputCommitment.toLowerCase()) {
    throw new WorkersError(
      'RESULT_COMMITMENT_MISMATCH',
      `job ${job.id}: outputCommitment ${result.outputCommitment} is not the output's (${computed})`,
    );
  }
  const leaf = {
    requestId: job.requestId as Hex,
    modelCommitment: model.commitment as Hex,
    inputCommitment: job.inputCommitment as Hex,
    outputCommitment: computed,
    traceCommitment: result.traceCommitment.toLowerCase() as Hex,
    worker,
  };
  assertCanonicalSignature(result.signature, `job ${job.id}: result`, 'RESULT_SIGNATURE_INVALID');
  const signer = await recoverResultSigner(domain, leaf, result.signature as Hex);
  if (signer !== worker) {
    throw new WorkersError(
      'RESULT_SIGNATURE_INVALID',
      `job ${job.id}: the result signature is not ${worker}'s over this result leaf`,
    );
  }
  const updated = await transition(sqlOnManager(manager), 'submit', {
    set: `output_fixed = $2, output_commitment = $3, trace_commitment = $4,
              worker_signature = $5, backend = $6, lease_expires_at = NULL, computed_at = now(), updated_at = now()`,
    where: 'id = $1 AND worker_address = $7',
    params: [
      job.id,
      output.map(String),
      computed,
      leaf.traceCommitment,
      result.signature.toLowerCase(),
      backend,
      job.workerAddress,
    ],
  });
  if (updated.length !== 1)
    throw new WorkersError('JOB_NOT_HELD', `job ${job.id} changed while the result was checked`);
  return job.id;
}

function parseOutput(jobId: string, values: readonly string[], expected: number): bigint[] {
  if (values.length !== expected) {
    throw new WorkersError(
      'INVALID_RESULT',
      `job ${jobId}: output has ${values.length} values, the model outputs ${expected}`,
    );
  }
  return values.map((value, i) => {
    const parsed = INTEGER_PATTERN.test(value) ? BigInt(value) : undefined;
    if (parsed === undefined || parsed >= OUTPUT_LIMIT || parsed < -OUTPUT_LIMIT) {
      throw new WorkersError(
        'INVALID_RESULT',
        `job ${jobId}: output value ${i} (${value}) is not an integer any model output can take`,
      );
    }
    return parsed;
  });
}
