/**
 * Why `verity challenger` refused something or could not go on. A refused target (the API's data
 * does not check out: a leaf hash, a proof, a commitment or a model that does not match) is never
 * disputed, because a dispute opened on data the challenger cannot vouch for could lose its bond.
 * API codes (from `errors[0].extensions.code`) pass through as they are.
 */
import { AppError } from '../../common/app-error';

export type ChallengerErrorCode =
  | 'API_UNREACHABLE'
  | 'API_BAD_RESPONSE'
  | 'INFERENCE_NOT_FOUND'
  | 'TARGET_REFUSED'
  | 'WINDOW_CLOSED'
  | 'CHAIN_UNREACHABLE'
  | 'CHAIN_MISMATCH'
  | 'INSUFFICIENT_FUNDS'
  | 'INVALID_ARGUMENT'
  | (string & {});

/** Codes after which the same call may succeed later without anything changing on our side. */
const TRANSIENT_CODES = new Set([
  'API_UNREACHABLE',
  'API_BAD_RESPONSE',
  'INTERNAL_SERVER_ERROR',
  'RATE_LIMITED',
  'CHAIN_UNREACHABLE',
]);

export class ChallengerError extends AppError {
  constructor(
    override readonly code: ChallengerErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }

  /** Whether retrying later can help (network trouble, 5xx, rate limits). */
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }
}

/** A refusal of one result, saying which check failed. */
export function refuse(
  requestId: string,
  why: string,
  details: Record<string, unknown> = {},
): ChallengerError {
  return new ChallengerError('TARGET_REFUSED', `request ${requestId}: ${why}; not disputing it`, {
    requestId,
    ...details,
  });
}

export function isTransientChallengerError(error: unknown): boolean {
  return error instanceof ChallengerError && error.transient;
}
