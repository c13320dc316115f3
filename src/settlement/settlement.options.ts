import type { Provider } from '@nestjs/common';
import { CHAIN_TX_OPTIONS, type ChainTxOptions } from '../chain-tx/chain-tx.options';
import {
  ACCOUNT_LEASE_RENEW_MS,
  ACCOUNT_LEASE_TTL_MS,
  BATCH_COMMITTER_INTERVAL_MS,
  DROPPED_TX_GRACE_MS,
  MAX_BATCH_SIZE,
  MAX_BATCH_WAIT_MS,
  MODEL_ANCHOR_INTERVAL_MS,
  RECEIPT_TIMEOUT_MS,
  REQUEST_LOG_CHUNK_BLOCKS,
  REQUEST_WATCHER_INTERVAL_MS,
  RESULT_FINALIZER_INTERVAL_MS,
  REVERT_RETRY_INITIAL_MS,
  REVERT_RETRY_MAX_MS,
  SEND_INITIAL_BACKOFF_MS,
  SEND_MAX_ATTEMPTS,
  SEND_MAX_BACKOFF_MS,
} from './settlement.constants';

/** Injection token of the pipeline's timing (tests override it with shorter values). */
export const SETTLEMENT_OPTIONS = Symbol('SETTLEMENT_OPTIONS');

export interface SettlementOptions {
  /** Start the loops on application bootstrap (tests that drive each step by hand turn it off). */
  autoStart: boolean;
  committerIntervalMs: number;
  watcherIntervalMs: number;
  finalizerIntervalMs: number;
  anchorIntervalMs: number;
  maxBatchSize: number;
  maxBatchWaitMs: number;
  requestLogChunkBlocks: bigint;
  droppedTxGraceMs: number;
  receiptTimeoutMs: number;
  sendMaxAttempts: number;
  sendInitialBackoffMs: number;
  sendMaxBackoffMs: number;
  /** First pause before a refused (reverted) batch, reveal, finalize or registration is tried again. */
  revertRetryInitialMs: number;
  revertRetryMaxMs: number;
  /** The sending account's lease (chain-tx/account-lease.ts): its life unrenewed, and the renewal interval. */
  leaseTtlMs: number;
  leaseRenewMs: number;
}

export const DEFAULT_SETTLEMENT_OPTIONS: SettlementOptions = {
  autoStart: true,
  committerIntervalMs: BATCH_COMMITTER_INTERVAL_MS,
  watcherIntervalMs: REQUEST_WATCHER_INTERVAL_MS,
  finalizerIntervalMs: RESULT_FINALIZER_INTERVAL_MS,
  anchorIntervalMs: MODEL_ANCHOR_INTERVAL_MS,
  maxBatchSize: MAX_BATCH_SIZE,
  maxBatchWaitMs: MAX_BATCH_WAIT_MS,
  requestLogChunkBlocks: REQUEST_LOG_CHUNK_BLOCKS,
  droppedTxGraceMs: DROPPED_TX_GRACE_MS,
  receiptTimeoutMs: RECEIPT_TIMEOUT_MS,
  sendMaxAttempts: SEND_MAX_ATTEMPTS,
  sendInitialBackoffMs: SEND_INITIAL_BACKOFF_MS,
  sendMaxBackoffMs: SEND_MAX_BACKOFF_MS,
  revertRetryInitialMs: REVERT_RETRY_INITIAL_MS,
  leaseTtlMs: ACCOUNT_LEASE_TTL_MS,
  leaseRenewMs: ACCOUNT_LEASE_RENEW_MS,
  revertRetryMaxMs: REVERT_RETRY_MAX_MS,
};

/** ChainTxSender's options, taken from SETTLEMENT_OPTIONS (a test that overrides those overrides these). */
export const CHAIN_TX_OPTIONS_PROVIDER: Provider = {
  provide: CHAIN_TX_OPTIONS,
  useFactory: (options: SettlementOptions): ChainTxOptions => options,
  inject: [SETTLEMENT_OPTIONS],
};
