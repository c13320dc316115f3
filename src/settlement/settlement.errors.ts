import { moduleErrorClass, type ErrorCategories } from '../common/app-error';

export const SETTLEMENT_ERROR_CATEGORIES = {
  /** A mined transaction reverted (the sender's own refusals are ChainTxError's). */
  CHAIN_TX_REVERTED: 'INTERNAL',
  /** A mined transaction lacks the event it must emit (BatchCommitted, ResultRevealed). */
  CHAIN_EVENT_MISSING: 'INTERNAL',
  /** The chain holds another state than the database records (a root, a result, a request status). */
  CHAIN_STATE_MISMATCH: 'INTERNAL',
  /** Rows that the pipeline wrote are incomplete or changed under a lock. */
  DATA_INCONSISTENT: 'INTERNAL',
} as const satisfies ErrorCategories<string>;

export type SettlementErrorCode = keyof typeof SETTLEMENT_ERROR_CATEGORIES;

/** An error of the on-chain pipeline; chain errors keep viem's error as `cause`. */
export class SettlementError extends moduleErrorClass(SETTLEMENT_ERROR_CATEGORIES) {}
