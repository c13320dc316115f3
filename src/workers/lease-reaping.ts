import type { EntityManager } from 'typeorm';
import { returnedRows } from '../common/sql-rows';
import type { QueueLimits } from '../config/load-config';
import { sqlOnManager } from '../database/sql';
import { STATUSES_HOLDING_LEASE, statusIn, transition } from '../inference/lifecycle';
import { lapseFailsRequest } from './fair-queue';
import { MAX_REAPED_LEASES } from './workers.constants';

interface ExpiredLease {
  id: string;
  worker_address: string;
  claim_id: string;
  lapsed_workers: string[];
}

/**
 * Returns expired leases to the queue (in the caller's transaction): records one lapse per claim
 * for its worker (lease_lapses), adds the worker to the request's lapsed_workers, and fails the
 * request only when that brings its distinct lapsed workers to the limit (lapseFailsRequest).
 * Returns the ids of the requests released or failed.
 */
export async function reapExpired(manager: EntityManager, limits: QueueLimits): Promise<string[]> {
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
    expired
      .filter((row) => lapseFailsRequest(limits, row.lapsed_workers, row.worker_address))
      .map((row) => row.id),
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
    [[...claims.keys()], [...claims.values()].map((c) => c.worker), [...claims.values()].map((c) => c.jobs)],
  );
  return rows.map((row) => row.id);
}
