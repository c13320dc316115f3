/**
 * Timing and sizes of the on-chain pipeline (src/settlement). Protocol parameters (challenge
 * window, fees, stakes) are not here: they are read from the contracts.
 */

/** Most results in one committed Merkle root. */
export const MAX_BATCH_SIZE = 64;
/** A batch smaller than MAX_BATCH_SIZE is formed once its oldest result waited this long. */
export const MAX_BATCH_WAIT_MS = 200;
/** Pause between two iterations of the batch committer (form, send, confirm). */
export const BATCH_COMMITTER_INTERVAL_MS = 100;
/** Pause between two polls of Settlement's InferenceRequested events. */
export const REQUEST_WATCHER_INTERVAL_MS = 500;
/** Pause between two iterations of the reveal / finalize loop. */
export const RESULT_FINALIZER_INTERVAL_MS = 1_000;
/** Pause between two looks for models not yet registered in the ModelRegistry. */
export const MODEL_ANCHOR_INTERVAL_MS = 1_000;
/** Blocks per eth_getLogs call of the request watcher (nodes cap the range of one call). */
export const REQUEST_LOG_CHUNK_BLOCKS = 2_000n;
/** Rows one reveal or finalize pass takes on. */
export const FINALIZER_BATCH_SIZE = 32;
/**
 * A SUBMITTED batch whose transaction neither has a receipt nor is known to the node is resent,
 * but only once its hash was recorded at least this long ago (a node behind a load balancer may
 * not see a transaction it was just sent).
 */
export const DROPPED_TX_GRACE_MS = 2_000;
/** How long a reveal / finalize / register waits for its receipt before the next iteration retries. */
export const RECEIPT_TIMEOUT_MS = 60_000;

/** Attempts of one send while the node is unreachable, then the loop's next iteration tries again. */
export const SEND_MAX_ATTEMPTS = 5;
/** First pause between two attempts of a send (doubles, up to SEND_MAX_BACKOFF_MS). */
export const SEND_INITIAL_BACKOFF_MS = 100;
export const SEND_MAX_BACKOFF_MS = 2_000;

/** A row whose reveal or finalize reverted is retried after this pause (doubling, capped). */
export const REVERT_RETRY_INITIAL_MS = 5_000;
export const REVERT_RETRY_MAX_MS = 300_000;

/** Settlement's RequestStatus (contracts/interfaces/IVerityResults.sol). */
export const RequestStatus = { None: 0, Open: 1, Pending: 2, Disputed: 3, Final: 4 } as const;

/** Settlement.MODE_ZK / MODE_OPTIMISTIC and ModelRegistry's mode flags (same values). */
export const CHAIN_MODE_ZK = 1;
export const CHAIN_MODE_OPTIMISTIC = 2;

/** Name of the request watcher's row in chain_cursors. */
export const REQUEST_CURSOR_NAME = 'settlement-requests';

/**
 * The sending account's lease (chain-tx/account-lease.ts): when the replica running the chain
 * duties dies, another takes them over within the TTL plus one renewal interval.
 */
export const ACCOUNT_LEASE_TTL_MS = 6_000;
export const ACCOUNT_LEASE_RENEW_MS = 1_500;
