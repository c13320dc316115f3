/**
 * Timing and sizes of the service's side of the dispute game (src/challenges). Protocol
 * parameters (bond, clocks, challenge window) are not here: they are read from the contracts.
 */

/** Pause between two scans of DisputeGame's DisputeOpened events. */
export const DISPUTE_WATCHER_INTERVAL_MS = 1_000;
/**
 * Pause between two passes of the defender over the open disputes. Each side's clock is minutes
 * (DisputeGame.maxClockSeconds), so a pass a second answers every move well before it runs out.
 */
export const DISPUTE_DEFENDER_INTERVAL_MS = 1_000;
/**
 * A dispute whose move reverted (the other side moved, or a clock ran out, in between) is played
 * again after this pause (doubling, capped): short, since the defender's clock keeps running.
 */
export const DISPUTE_MOVE_RETRY_INITIAL_MS = 1_000;
export const DISPUTE_MOVE_RETRY_MAX_MS = 10_000;
/** Claimed traces kept in memory (one per disputed inference; recomputed when evicted). */
export const TRACE_CACHE_SIZE = 64;
/** Name of the dispute watcher's row in chain_cursors. */
export const DISPUTE_CURSOR_NAME = 'disputes';
/** Largest page of the `disputes` query. */
export const MAX_DISPUTES_PAGE_SIZE = 100;
/**
 * Disputes per inference assumed by the query cost estimate of `Inference.disputes` (most
 * results are never disputed; a few are disputed once or twice).
 */
export const DISPUTES_PER_INFERENCE_ESTIMATE = 2;
