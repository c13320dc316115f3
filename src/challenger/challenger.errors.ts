/**
 * Why `verity challenger` refused something or could not go on. A refused target (the API's data
 * does not check out: a leaf hash, a proof, a commitment or a model that does not match) is never
 * disputed, because a dispute opened on data the challenger cannot vouch for could lose its bond.
 * API codes (from `errors[0].extensions.code`) pass through as they are.
 */
import { apiClientErrorClass, type ApiErrorCode } from '../api-error-codes';
import type { ErrorCategories } from '../common/app-error';
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

/** A challenger call may succeed later after the API's transient codes, or when the node answers again. */
export class ChallengerError extends apiClientErrorClass(CHALLENGER_ERROR_CATEGORIES, ['CHAIN_UNAVAILABLE']) {}

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
