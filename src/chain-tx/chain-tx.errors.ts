import { moduleErrorClass, type ErrorCategories } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

/** Codes of the service account's transaction sender (chain-tx-sender.ts). */
export const CHAIN_TX_ERROR_CATEGORIES = {
  /** The contract refused the call (simulation or mined receipt); `details.errorName` names why. */
  CHAIN_TX_REVERTED: 'INTERNAL',
  /** Any other failure to send (nonce trouble that outlived a re-sync, a node error). */
  CHAIN_TX_FAILED: 'UNAVAILABLE',
  /** Another process holds the account's lease (account-lease.ts): its chain duties run there, not here. */
  CHAIN_ACCOUNT_NOT_HELD: 'UNAVAILABLE',
  /** The sender is stopping (application shutdown). */
  CHAIN_SENDER_CLOSED: 'UNAVAILABLE',
  /** The node did not answer (after the sender's retries); the caller's loop tries again. */
  ...commonCodes('CHAIN_UNAVAILABLE'),
} as const satisfies ErrorCategories<string>;

export type ChainTxErrorCode = keyof typeof CHAIN_TX_ERROR_CATEGORIES;

/** A failure to send a transaction; chain errors keep viem's error as `cause`. */
export class ChainTxError extends moduleErrorClass(CHAIN_TX_ERROR_CATEGORIES) {}
