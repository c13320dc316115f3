/**
 * The fair-queue rules (docs/service.md, "A fair queue"), pure: JobsService reads the rows and
 * the database clock, these functions decide.
 *
 * - A worker holds at most `maxHeldJobs` leased jobs at once, across all its claims.
 * - A lease ends at most `maxLeaseLifetimeSeconds` after its claim, however often it is
 *   heartbeated.
 * - A lapse is one claim whose lease(s) expired unsubmitted. Lapses are counted per worker over a
 *   sliding window: from `throttleAfterLapses` on, each lapse halves the worker's cap (down to 1
 *   job); at `excludeAfterLapses` the worker is refused (WORKER_EXCLUDED) until enough of its
 *   lapses leave the window. An honest worker that restarts or stalls once or twice in a window
 *   keeps its full share; one that keeps lapsing is starved, then shut out, then readmitted
 *   with a small cap, never a full one, while its lapses stay recent.
 * - A request fails on lapses only once the leases of `failAfterLapsedWorkers` distinct workers on
 *   it lapsed: one worker's lapses, however many, never fail it.
 */

import type { QueueLimits } from '../config/load-config';

/** Where a worker stands when it claims, from its recent lapses. */
export type ClaimStanding =
  | { kind: 'open'; maxHeldJobs: number; lapses: number }
  | { kind: 'throttled'; maxHeldJobs: number; lapses: number }
  | { kind: 'excluded'; lapses: number; until: Date };

/**
 * The worker's standing at `now`, from the times of its lapses (any order; those outside the
 * window are ignored). Excluded until the oldest lapse that keeps the count at the exclusion
 * threshold leaves the window.
 */
export function claimStanding(limits: QueueLimits, lapsedAt: readonly Date[], now: Date): ClaimStanding {
  const windowStart = now.getTime() - limits.lapseWindowSeconds * 1000;
  const recent = lapsedAt
    .map((at) => at.getTime())
    .filter((at) => at > windowStart)
    .sort((a, b) => a - b);
  const lapses = recent.length;
  if (lapses >= limits.excludeAfterLapses) {
    // After recent[lapses - excludeAfterLapses] leaves the window, the count is one below the threshold.
    const until = recent[lapses - limits.excludeAfterLapses] + limits.lapseWindowSeconds * 1000;
    return { kind: 'excluded', lapses, until: new Date(until) };
  }
  if (lapses >= limits.throttleAfterLapses) {
    const halvings = lapses - limits.throttleAfterLapses + 1;
    return { kind: 'throttled', maxHeldJobs: Math.max(1, limits.maxHeldJobs >> halvings), lapses };
  }
  return { kind: 'open', maxHeldJobs: limits.maxHeldJobs, lapses };
}

/** How many jobs a claim for `requested` may take when the worker already holds `held`. */
export function claimAllowance(maxHeldJobs: number, held: number, requested: number): number {
  return Math.max(0, Math.min(requested, maxHeldJobs - held));
}

/**
 * When a lease claimed at `leasedAt` and extended at `now` by `leaseSeconds` ends: never past
 * `leasedAt + maxLeaseLifetimeSeconds`. The SQL of claim and heartbeat applies the same
 * LEAST(now + lease, leased_at + lifetime).
 */
export function leaseExpiry(
  leasedAt: Date,
  now: Date,
  leaseSeconds: number,
  maxLeaseLifetimeSeconds: number,
): Date {
  return new Date(
    Math.min(now.getTime() + leaseSeconds * 1000, leasedAt.getTime() + maxLeaseLifetimeSeconds * 1000),
  );
}

/**
 * Whether a lapse by `worker` fails a request whose leases already lapsed under `lapsedWorkers`
 * (lowercase addresses): only when it brings the distinct workers to the limit.
 */
export function lapseFailsRequest(
  limits: Pick<QueueLimits, 'failAfterLapsedWorkers'>,
  lapsedWorkers: readonly string[],
  worker: string,
): boolean {
  const distinct = new Set([...lapsedWorkers.map((w) => w.toLowerCase()), worker.toLowerCase()]);
  return distinct.size >= limits.failAfterLapsedWorkers;
}
