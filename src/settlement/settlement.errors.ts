import { AppError } from '../common/app-error';

export type SettlementErrorCode =
  /** The node did not answer (after the sender's retries); the next iteration tries again. */
  | 'CHAIN_UNAVAILABLE'
  /** The contract refused the call (simulation or mined receipt); `details.errorName` names why. */
  | 'CHAIN_TX_REVERTED'
  /** Any other failure to send (nonce trouble that outlived a re-sync, a node error). */
  | 'CHAIN_TX_FAILED'
  /** The sender is stopping (application shutdown). */
  | 'CHAIN_SENDER_CLOSED';

/** An error of the on-chain pipeline; chain errors keep viem's error as `cause`. */
export class SettlementError extends AppError {
  constructor(
    code: SettlementErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }
}
