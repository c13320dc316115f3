import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Address, Hex } from 'viem';
import { recoverResultSigner } from '../chain/typed-data';
import { returnedRows } from '../common/sql-rows';
import { commitTensor } from '../engine';
import { InferenceEntity } from '../inference/inference.entity';
import { InferenceEvents } from '../inference/inference-events';
import { isUuid } from '../inference/inference.service';
import { JobSignal } from '../inference/job-signal';
import { STATUSES_HOLDING_LEASE, STATUSES_QUEUED, statusIn, transition } from '../inference/lifecycle';
import { ModelCatalog } from '../inference/model-catalog';
import { RUNTIME } from '../runtime/runtime.module';
import { sqlOnManager } from '../database/sql';
import type { Runtime } from '../runtime/runtime';
import type { ClaimJobsInput, Job, ResultSubmissionInput, SubmitResultsInput } from './dto/worker-api.types';
import type { QueueLimits } from '../config/load-config';
import { claimAllowance, claimStanding, lapseFailsRequest } from './fair-queue';
import { ProtocolService } from './protocol.service';
import {
  MAX_CLAIM_JOBS,
  MAX_CLAIM_WAIT_MS,
  MAX_LEASE_SECONDS,
  MAX_REAPED_LEASES,
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
 * all-or-nothing result submission, and returning expired leases to the queue, under the fair
 * queue's limits (fair-queue.ts: a cap on held jobs, a maximum lease lifetime, lapses counted per
 * worker).
 */
@Injectable()
export class JobsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly catalog: ModelCatalog,
    private readonly events: InferenceEvents,
    private readonly jobSignal: JobSignal,
    private readonly protocol: ProtocolService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /**
   * REQUESTED → ASSIGNED for up to maxJobs, oldest first, within the worker's cap on held jobs;
   * long-polls up to waitMs for work (or for room under the cap). A worker excluded for lapsed
   * claims is refused (WORKER_EXCLUDED). A request whose result from this worker a dispute
   * refuted (excluded_workers) is never leased to it again.
   */
  async claim(worker: Address, input: ClaimJobsInput): Promise<Job[]> {
    checkRange('maxJobs', input.maxJobs, 1, MAX_CLAIM_JOBS);
    checkRange('waitMs', input.waitMs, 0, MAX_CLAIM_WAIT_MS);
    checkRange('leaseSeconds', input.leaseSeconds, MIN_LEASE_SECONDS, MAX_LEASE_SECONDS);
    const deadline = Date.now() + input.waitMs;
    for (;;) {
      const claimed = await this.claimOnce(worker, input);
      if (claimed.length > 0) {
        await this.events.changed(claimed.map((row) => row.id));
        return Promise.all(claimed.map((row) => this.toJob(row)));
      }
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.jobSignal.wait(Math.min(left, 250));
    }
  }

  /** One claim, in one transaction that holds the worker's row: its claims cannot race past its cap. */
  private claimOnce(worker: Address, input: ClaimJobsInput): Promise<RawJob[]> {
    const limits = this.limits;
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT address FROM workers WHERE address = $1 FOR UPDATE', [worker]);
      const [state] = returnedRows<{ now: Date; held: number; lapsed_at: Date[] }>(
        await manager.query(
          `SELECT now() AS now,
                  (SELECT count(*)::int FROM inferences
                    WHERE ${statusIn('status', STATUSES_HOLDING_LEASE)} AND worker_address = $1) AS held,
                  ARRAY(SELECT lapsed_at FROM lease_lapses
                         WHERE worker = $1 AND lapsed_at > now() - make_interval(secs => $2::integer)) AS lapsed_at`,
          [worker, limits.lapseWindowSeconds],
        ),
      );
      const standing = claimStanding(limits, state.lapsed_at, state.now);
      if (standing.kind === 'excluded') {
        throw new WorkersError(
          'WORKER_EXCLUDED',
          `worker ${worker} let ${standing.lapses} claims lapse in the last ${limits.lapseWindowSeconds} s; it may claim again at ${standing.until.toISOString()}`,
          { lapses: standing.lapses, until: standing.until.toISOString() },
        );
      }
      const allowed = claimAllowance(standing.maxHeldJobs, state.held, input.maxJobs);
      if (allowed === 0) return [];
      return transition<RawJob>(sqlOnManager(manager), 'claim', {
        alias: 'i',
        set: `worker_address = $1, lease_seconds = $3::integer, attempts = attempts + 1,
                  claim_id = $5, leased_at = now(),
                  lease_expires_at = now() + make_interval(secs => LEAST($3::integer, $6::integer)), updated_at = now()`,
        // The pick is a MATERIALIZED CTE, evaluated once: as a subquery under the UPDATE's status
        // guard, the planner may evaluate a LIMIT ... SKIP LOCKED pick more than once and lease
        // more jobs than allowed (seen: 6 leased on a claim of 3 under a cap of 4).
        with: `picked AS MATERIALIZED (SELECT id FROM inferences
                            WHERE ${statusIn('status', STATUSES_QUEUED)} AND NOT ($4 = ANY (excluded_workers))
                            ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        using: 'picked',
        where: 'i.id = picked.id',
        returning: 'i.id, i.request_id, i.model_id, i.input_commitment, i.input_fixed, i.lease_expires_at',
        // excluded_workers holds lowercase addresses (src/challenges/dispute-outcomes.ts).
        params: [
          worker,
          allowed,
          input.leaseSeconds,
          worker.toLowerCase(),
          randomUUID(),
          limits.maxLeaseLifetimeSeconds,
        ],
      });
    });
  }

  /**
   * Extends the leases this worker still holds by their lease length, never past their maximum
   * lifetime from the claim (leaseExpiry in fair-queue.ts); reports the others as lost.
   */
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
        `UPDATE inferences
            SET lease_expires_at = LEAST(now() + make_interval(secs => lease_seconds),
                                         leased_at + make_interval(secs => $3::integer)),
                updated_at = now()
          WHERE id = ANY($1::uuid[]) AND ${statusIn('status', STATUSES_HOLDING_LEASE)} AND worker_address = $2
            AND lease_expires_at > now()
          RETURNING id, lease_expires_at`,
        [valid, worker, this.limits.maxLeaseLifetimeSeconds],
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

  /**
   * Returns expired leases to the queue, in one transaction: records one lapse per claim for its
   * worker (lease_lapses), adds the worker to the request's lapsed_workers, and fails the request
   * only when that brings its distinct lapsed workers to the limit (lapseFailsRequest).
   */
  async reapExpiredLeases(): Promise<string[]> {
    const limits = this.limits;
    const reaped = await this.dataSource.transaction(async (manager) => {
      const expired = returnedRows<ExpiredLease>(
        await manager.query(
          `SELECT id, worker_address, COALESCE(claim_id, id) AS claim_id, lapsed_workers FROM inferences
            WHERE ${statusIn('status', STATUSES_HOLDING_LEASE)} AND lease_expires_at < now()
            ORDER BY lease_expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [MAX_REAPED_LEASES],
        ),
      );
      if (expired.length === 0) return [];
      const failed = new Set(
        expired.filter((row) => lapseFailsRequest(limits, row.lapsed_workers, row.worker_address)).map((row) => row.id),
      );
      // The expired rows are locked (FOR UPDATE above): two transitions, one transaction.
      const released = `lapsed_workers = CASE WHEN lower(worker_address) = ANY(lapsed_workers) THEN lapsed_workers
                    ELSE array_append(lapsed_workers, lower(worker_address)::char(42)) END,
                  worker_address = NULL, lease_expires_at = NULL, lease_seconds = NULL, claim_id = NULL,
                  leased_at = NULL, updated_at = now()`;
      const sql = sqlOnManager(manager);
      const rows = [
        ...(await transition(sql, 'attemptsExhausted', {
          set: `error_code = 'ATTEMPTS_EXHAUSTED',
                  error_message = 'the leases of ' || $2::integer || ' distinct workers lapsed without a result',
                  ${released}`,
          where: 'id = ANY($1::uuid[])',
          params: [[...failed], limits.failAfterLapsedWorkers],
        })),
        ...(await transition(sql, 'leaseExpired', {
          set: released,
          where: 'id = ANY($1::uuid[])',
          params: [expired.filter((row) => !failed.has(row.id)).map((row) => row.id)],
        })),
      ];
      const claims = new Map<string, { worker: string; jobs: number }>();
      for (const row of expired) {
        const claim = claims.get(row.claim_id) ?? { worker: row.worker_address, jobs: 0 };
        claim.jobs++;
        claims.set(row.claim_id, claim);
      }
      await manager.query(
        `INSERT INTO lease_lapses (claim_id, worker, jobs)
         SELECT * FROM unnest($1::uuid[], $2::char(42)[], $3::integer[])
         ON CONFLICT (claim_id) DO UPDATE SET jobs = lease_lapses.jobs + EXCLUDED.jobs`,
        [
          [...claims.keys()],
          [...claims.values()].map((c) => c.worker),
          [...claims.values()].map((c) => c.jobs),
        ],
      );
      return rows.map((row) => row.id);
    });
    if (reaped.length > 0) {
      this.jobSignal.notify();
      await this.events.changed(reaped);
    }
    return reaped;
  }

  /** Forgets lapses older than the window (they no longer count against their worker). */
  async pruneLapses(): Promise<number> {
    return returnedRows(
      await this.dataSource.query(
        `DELETE FROM lease_lapses WHERE lapsed_at < now() - make_interval(secs => $1::integer) RETURNING claim_id`,
        [this.limits.lapseWindowSeconds],
      ),
    ).length;
  }

  private get limits(): QueueLimits {
    return this.runtime.config.queue;
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

interface ExpiredLease {
  id: string;
  worker_address: string;
  claim_id: string;
  lapsed_workers: string[];
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
