import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Address } from 'viem';
import { returnedRows } from '../common/sql-rows';
import type { QueueLimits } from '../config/load-config';
import { sqlOnManager } from '../database/sql';
import { STATUSES_HOLDING_LEASE, STATUSES_QUEUED, statusIn, transition } from '../inference/lifecycle';
import type { ClaimJobsInput } from './dto/worker-api.types';
import { claimAllowance, claimStanding } from './fair-queue';
import { WorkersError } from './workers.errors';

/** A leased request as the claim returns it. */
export interface RawJob {
  id: string;
  request_id: string;
  model_id: string;
  input_commitment: string;
  input_fixed: string[];
  lease_expires_at: Date;
}

/**
 * One claim, in one transaction that holds the worker's row: its claims cannot race past its
 * cap. Leases up to input.maxJobs queued requests, oldest first, within the worker's cap on held
 * jobs (fair-queue.ts); none for a request whose result from this worker a dispute refuted.
 */
export function claimOnce(
  dataSource: DataSource,
  limits: QueueLimits,
  worker: Address,
  input: ClaimJobsInput,
): Promise<RawJob[]> {
  return dataSource.transaction(async (manager) => {
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
