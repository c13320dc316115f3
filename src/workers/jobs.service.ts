import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Address } from 'viem';
import { returnedRows } from '../common/sql-rows';
import { InferenceEvents } from '../inference/inference-events';
import { isUuid } from '../inference/inference.service';
import { JobSignal } from '../inference/job-signal';
import { STATUSES_HOLDING_LEASE, statusIn } from '../inference/lifecycle';
import { ModelCatalog } from '../inference/model-catalog';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import type { ClaimJobsInput, Job, SubmitResultsInput } from './dto/worker-api.types';
import type { QueueLimits } from '../config/load-config';
import { claimOnce, type RawJob } from './job-claim';
import { reapExpired } from './lease-reaping';
import { ProtocolService } from './protocol.service';
import { acceptResult } from './result-check';
import {
  MAX_CLAIM_JOBS,
  MAX_CLAIM_WAIT_MS,
  MAX_LEASE_SECONDS,
  MAX_SUBMISSION_RESULTS,
  MIN_LEASE_SECONDS,
} from './workers.constants';
import { WorkersError } from './workers.errors';

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
      const claimed = await claimOnce(this.dataSource, this.limits, worker, input);
      if (claimed.length > 0) {
        await this.events.changed(claimed.map((row) => row.id));
        return Promise.all(claimed.map((row) => this.toJob(row)));
      }
      const left = deadline - Date.now();
      if (left <= 0) return [];
      await this.jobSignal.wait(Math.min(left, 250));
    }
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
    const check = { catalog: this.catalog, domain: this.protocol.domain };
    const accepted = await this.dataSource.transaction(async (manager) => {
      const ids: string[] = [];
      for (const result of results) ids.push(await acceptResult(manager, check, worker, backend, result));
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
    const reaped = await this.dataSource.transaction((manager) => reapExpired(manager, limits));
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

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new WorkersError(
      'INVALID_WORKER_INPUT',
      `${name} must be an integer in ${min}..${max}, got ${value}`,
    );
  }
}
