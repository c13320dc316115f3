import {
  DISPUTE_DEFENDER_INTERVAL_MS,
  DISPUTE_MOVE_RETRY_INITIAL_MS,
  DISPUTE_MOVE_RETRY_MAX_MS,
  DISPUTE_WATCHER_INTERVAL_MS,
  TRACE_CACHE_SIZE,
} from './challenges.constants';

/**
 * Injection token of the dispute loops' timing (tests override it). Whether the loops start on
 * bootstrap follows the settlement pipeline (SettlementOptions.autoStart): both drive the chain
 * from the same process and tests that drive one by hand drive both.
 */
export const CHALLENGES_OPTIONS = Symbol('CHALLENGES_OPTIONS');

export interface ChallengesOptions {
  watcherIntervalMs: number;
  defenderIntervalMs: number;
  /** First pause before a dispute whose move reverted is played again. */
  moveRetryInitialMs: number;
  moveRetryMaxMs: number;
  traceCacheSize: number;
}

export const DEFAULT_CHALLENGES_OPTIONS: ChallengesOptions = {
  watcherIntervalMs: DISPUTE_WATCHER_INTERVAL_MS,
  defenderIntervalMs: DISPUTE_DEFENDER_INTERVAL_MS,
  moveRetryInitialMs: DISPUTE_MOVE_RETRY_INITIAL_MS,
  moveRetryMaxMs: DISPUTE_MOVE_RETRY_MAX_MS,
  traceCacheSize: TRACE_CACHE_SIZE,
};
