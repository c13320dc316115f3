import { AppError, type ErrorCategories, type ErrorCategory } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

export const SETTLEMENT_ERROR_CATEGORIES = {
  /** The contract refused the call (simulation or mined receipt); `details.errorName` names why. */
  CHAIN_TX_REVERTED: 'INTERNAL',
  /** Any other failure to send (nonce trouble that outlived a re-sync, a node error). */
  CHAIN_TX_FAILED: 'UNAVAILABLE',
  /** The sender is stopping (application shutdown). */
  CHAIN_SENDER_CLOSED: 'UNAVAILABLE',
  /** A mined transaction lacks the event it must emit (BatchCommitted, ResultRevealed). */
  CHAIN_EVENT_MISSING: 'INTERNAL',
  /** The chain holds another state than the database records (a root, a result, a request status). */
  CHAIN_STATE_MISMATCH: 'INTERNAL',
  /** Rows that the pipeline wrote are incomplete or changed under a lock. */
  DATA_INCONSISTENT: 'INTERNAL',
  /** The node did not answer (after the sender's retries); the next iteration tries again. */
  ...commonCodes('CHAIN_UNAVAILABLE'),
} as const satisfies ErrorCategories<string>;

export type SettlementErrorCode = keyof typeof SETTLEMENT_ERROR_CATEGORIES;

/** An error of the on-chain pipeline; chain errors keep viem's error as `cause`. */
export class SettlementError extends AppError<SettlementErrorCode> {
  get category(): ErrorCategory {
    return SETTLEMENT_ERROR_CATEGORIES[this.code];
  }
}
