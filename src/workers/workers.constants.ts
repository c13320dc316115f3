/** How far in the future a worker call's deadline may be (bounds how long nonces are kept). */
export const MAX_AUTH_DEADLINE_SECONDS = 300;
/** Jobs one claim may take (a worker's held jobs are capped by QUEUE_MAX_HELD_JOBS as well). */
export const MAX_CLAIM_JOBS = 256;
/** Longest long-poll of a claim. */
export const MAX_CLAIM_WAIT_MS = 10_000;
export const MIN_LEASE_SECONDS = 2;
export const MAX_LEASE_SECONDS = 600;
/** How often expired leases are returned to the queue. */
export const LEASE_REAPER_INTERVAL_MS = 500;
/** How long an on-chain "worker is active" answer is trusted before it is read again. */
export const STAKE_CHECK_TTL_MS = 15_000;
/** Results one submission may carry. */
export const MAX_SUBMISSION_RESULTS = 256;
/** Expired leases one reaper pass returns to the queue (the rest on the next pass). */
export const MAX_REAPED_LEASES = 1000;
