/**
 * Why `verity challenger` refused something or could not go on. A refused target (the API's data
 * does not check out: a leaf hash, a proof, a commitment or a model that does not match) is never
 * disputed, because a dispute opened on data the challenger cannot vouch for could lose its bond.
 * API codes (from `errors[0].extensions.code`) pass through as they are.
 */
import { API_ERROR_CATEGORIES, type ApiErrorCode } from '../api-error-codes';
import { AppError, type ErrorCategories, type ErrorCategory } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

/** The challenger's own codes; the API's pass through (INFERENCE_NOT_FOUND, RATE_LIMITED, ...). */
export const CHALLENGER_ERROR_CATEGORIES = {
  TARGET_REFUSED: 'BAD_INPUT',
  /** The challenge window of the target closed before the dispute could be opened. */
  WINDOW_CLOSED: 'CONFLICT',
  /** RPC_URL serves another chain, or Settlement another game, than the API names. */
  CHAIN_MISMATCH: 'INTERNAL',
  /** The challenger's account cannot pay the bond and gas. */
  INSUFFICIENT_FUNDS: 'BAD_INPUT',
  /** Escrow.claim was mined but reverted. */
  CLAIM_REVERTED: 'INTERNAL',
  ...commonCodes('API_UNREACHABLE', 'API_BAD_RESPONSE', 'CHAIN_UNAVAILABLE', 'INVALID_ARGUMENT'),
} as const satisfies ErrorCategories<string>;

export type ChallengerErrorCode = keyof typeof CHALLENGER_ERROR_CATEGORIES | ApiErrorCode;

/** Codes after which the same call may succeed later without anything changing on our side. */
const TRANSIENT_CODES: ReadonlySet<ChallengerErrorCode> = new Set<ChallengerErrorCode>([
  'API_UNREACHABLE',
  'API_BAD_RESPONSE',
  'INTERNAL_SERVER_ERROR',
  'RATE_LIMITED',
  'CHAIN_UNAVAILABLE',
]);

export class ChallengerError extends AppError<ChallengerErrorCode> {
  get category(): ErrorCategory {
    return Object.hasOwn(CHALLENGER_ERROR_CATEGORIES, this.code)
      ? CHALLENGER_ERROR_CATEGORIES[this.code as keyof typeof CHALLENGER_ERROR_CATEGORIES]
      : API_ERROR_CATEGORIES[this.code as ApiErrorCode];
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
