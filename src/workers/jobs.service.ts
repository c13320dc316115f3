import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Address, Hex } from 'viem';
import { recoverResultSigner } from '../chain/typed-data';
import { returnedRows } from '../common/sql-rows';
import { commitTensor } from '../engine';
import { InferenceEntity } from '../inference/inference.entity';
import { InferenceEvents } from '../inference/inference-events';
import { MAX_ATTEMPTS } from '../inference/inference-status';
import { isUuid } from '../inference/inference.service';
import { JobSignal } from '../inference/job-signal';
import { ModelCatalog } from '../inference/model-catalog';
import type { ClaimJobsInput, Job, ResultSubmissionInput, SubmitResultsInput } from './dto/worker-api.types';
import { ProtocolService } from './protocol.service';
import {
  MAX_CLAIM_JOBS,
  MAX_CLAIM_WAIT_MS,
  MAX_LEASE_SECONDS,
  MAX_SUBMISSION_RESULTS,
  MIN_LEASE_SECONDS,
} from './workers.constants';
import { WorkersError } from './workers.errors';
import { assertCanonicalSignature } from './signature-check';

const BYTES32_PATTERN = /^0x[0-9a-fA-F]{64}$/;
const INTEGER_PATTERN = /^-?(0|[1-9]\d{0,19})$/;
/** Outputs are stored as int64; every model output is below 2^52 by its static bounds. */
const OUTPUT_LIMIT = 1n << 63n;

/**
 * The job queue on the inferences table (FOR UPDATE SKIP LOCKED): claims with a lease, heartbeats,
 * all-or-nothing result submission, and returning expired leases to the queue.
 */
@Injectable()
export class JobsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly catalog: ModelCatalog,
    private readonly events: InferenceEvents,
    private readonly jobSignal: JobSignal,
    private readonly protocol: ProtocolService,
  ) {}

  /**
   * REQUESTED → ASSIGNED for up to maxJobs, oldest first; long-polls up to waitMs for work. A
   * request whose result from this worker a dispute refuted (excluded_workers) is never leased to
   * it again.
   */
  async claim(worker: Address, input: ClaimJobsInput): Promise<Job[]> {
    checkRange('maxJobs', input.maxJobs, 1, MAX_CLAIM_JOBS);
    checkRange('waitMs', input.waitMs, 0, MAX_CLAIM_WAIT_MS);
    checkRange('leaseSeconds', input.leaseSeconds, MIN_LEASE_SECONDS, MAX_LEASE_SECONDS);
    const deadline = Date.now() + input.waitMs;
    for (;;) {
      const result: unknown = await this.dataSource.query(
        `UPDATE inferences i
            SET status = 'ASSIGNED', worker_address = $1, lease_seconds = $3::integer, attempts = attempts + 1,
                lease_expires_at = now() + make_interval(secs => $3::integer), updated_at = now()
          WHERE i.id IN (SELECT id FROM inferences
                          WHERE status = 'REQUESTED' AND NOT ($4 = ANY (excluded_workers))
                          ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
          RETURNING i.id, i.request_id, i.model_id, i.input_commitment, i.input_fixed, i.lease_expires_at`,
        // excluded_workers holds lowercase addresses (src/challenges/dispute-outcomes.ts).
        [worker, input.maxJobs, input.leaseSeconds, worker.toLowerCase()],
      );
      const claimed = returnedRows<RawJob>(result);
      if (claimed.length > 0) {
        await this.events.changed(claimed.map((row) => row.id));
        return Promise.all(claimed.map((row) => this.toJob(row)));
      }
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.jobSignal.wait(Math.min(left, 250));
    }
  }

  /** Extends the leases this worker still holds by their lease length; reports the others. */
  async heartbeat(
    worker: Address,
    jobIds: readonly string[],
  ): Promise<{ extended: string[]; lost: string[]; leaseExpiresAt: Date | null }> {
    const ids = [...new Set(jobIds)];
    if (ids.length > MAX_CLAIM_JOBS)
      throw new WorkersError('INVALID_WORKER_INPUT', `at most ${MAX_CLAIM_JOBS} job ids per heartbeat`);
    const valid = ids.filter(isUuid);
    const rows = returnedRows<{ id: string; lease_expires_at: Date }>(
      await this.dataSource.query(
        `UPDATE inferences SET lease_expires_at = now() + make_interval(secs => lease_seconds), updated_at = now()
          WHERE id = ANY($1::uuid[]) AND status = 'ASSIGNED' AND worker_address = $2 AND lease_expires_at > now()
          RETURNING id, lease_expires_at`,
        [valid, worker],
      ),
    );
    const extended = new Set(rows.map((row) => row.id));
    const leaseExpiresAt = rows.reduce<Date | null>(
      (min, row) => (min === null || row.lease_expires_at < min ? row.lease_expires_at : min),
      null,
    );
    return { extended: [...extended], lost: ids.filter((id) => !extended.has(id)), leaseExpiresAt };
  }

  /**
   * ASSIGNED → COMPUTED for every result, in one transaction: any bad result refuses the whole
   * call and stores nothing. Each result must be for a job this worker holds under an unexpired
   * lease, carry the model's output length, match its output commitment, and be signed by the
   * worker over the exact leaf (request, model, input, output, trace commitments, worker).
   */
  async submit(worker: Address, input: SubmitResultsInput): Promise<string[]> {
    const { results } = input;
    if (results.length === 0 || results.length > MAX_SUBMISSION_RESULTS) {
      throw new WorkersError(
        'INVALID_WORKER_INPUT',
        `a submission carries 1..${MAX_SUBMISSION_RESULTS} results, got ${results.length}`,
      );
    }
    const backend = input.backend.trim().slice(0, 32) || 'unknown';
    const seen = new Set<string>();
    for (const result of results) {
      if (seen.has(result.jobId))
        throw new WorkersError('DUPLICATE_SUBMISSION', `job ${result.jobId} appears twice in one submission`);
      seen.add(result.jobId);
    }
    const accepted = await this.dataSource.transaction(async (manager) => {
      const ids: string[] = [];
      for (const result of results) ids.push(await this.acceptResult(manager, worker, backend, result));
      return ids;
    });
    await this.events.changed(accepted);
    return accepted;
  }

  /** Returns expired leases to the queue (or fails a job after MAX_ATTEMPTS leases). */
  async reapExpiredLeases(): Promise<string[]> {
    const rows = returnedRows<{ id: string }>(
      await this.dataSource.query(
        `UPDATE inferences
            SET status = CASE WHEN attempts >= $1 THEN 'FAILED' ELSE 'REQUESTED' END,
                error_code = CASE WHEN attempts >= $1 THEN 'ATTEMPTS_EXHAUSTED' ELSE error_code END,
                error_message = CASE WHEN attempts >= $1
                  THEN 'no worker returned a result within ' || attempts || ' leases' ELSE error_message END,
                worker_address = NULL, lease_expires_at = NULL, lease_seconds = NULL, updated_at = now()
          WHERE status = 'ASSIGNED' AND lease_expires_at < now()
          RETURNING id`,
        [MAX_ATTEMPTS],
      ),
    );
    if (rows.length > 0) {
      this.jobSignal.notify();
      await this.events.changed(rows.map((row) => row.id));
    }
    return rows.map((row) => row.id);
  }

  private async acceptResult(
    manager: EntityManager,
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
    const model = await this.catalog.get(job.modelId);
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
    const signer = await recoverResultSigner(this.protocol.domain, leaf, result.signature as Hex);
    if (signer !== worker) {
      throw new WorkersError(
        'RESULT_SIGNATURE_INVALID',
        `job ${job.id}: the result signature is not ${worker}'s over this result leaf`,
      );
    }
    const updated = returnedRows<{ id: string }>(
      await manager.query(
        `UPDATE inferences SET status = 'COMPUTED', output_fixed = $2, output_commitment = $3, trace_commitment = $4,
                worker_signature = $5, backend = $6, lease_expires_at = NULL, computed_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'ASSIGNED' AND worker_address = $7 RETURNING id`,
        [
          job.id,
          output.map(String),
          computed,
          leaf.traceCommitment,
          result.signature.toLowerCase(),
          backend,
          job.workerAddress,
        ],
      ),
    );
    if (updated.length !== 1)
      throw new WorkersError('JOB_NOT_HELD', `job ${job.id} changed while the result was checked`);
    return job.id;
  }

  private async toJob(row: RawJob): Promise<Job> {
    const model = await this.catalog.get(row.model_id);
    return {
      id: row.id,
      requestId: row.request_id,
      modelId: row.model_id,
      modelCommitment: model.commitment,
      inputCommitment: row.input_commitment,
      inputFixed: row.input_fixed,
      leaseExpiresAt: row.lease_expires_at,
    };
  }
}

interface RawJob {
  id: string;
  request_id: string;
  model_id: string;
  input_commitment: string;
  input_fixed: string[];
  lease_expires_at: Date;
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WorkersError(
      'INVALID_WORKER_INPUT',
      `${name} must be an integer in ${min}..${max}, got ${value}`,
    );
  }
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
