import { API_ERROR_CATEGORIES, apiFailure, type ApiErrorCode } from '../api-error-codes';
import { AppError, type ErrorCategories, type ErrorCategory } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

/**
 * The client's own codes. A call the API refuses throws the API's code instead (its
 * `errors[0].extensions.code`: INFERENCE_NOT_FOUND, MODE_NOT_ALLOWED, BAD_USER_INPUT, ...; see
 * src/api-error-codes.ts), so a dapp switches on one closed union.
 */
export const CLIENT_ERROR_CATEGORIES = {
  /** waitForFinal gave up after its timeout. */
  WAIT_TIMEOUT: 'UNAVAILABLE',
  /** waitForFinal: the inference ended FAILED (details.error holds the API's code and message). */
  INFERENCE_FAILED: 'CONFLICT',
  /** verifyResult needs a chain client and the Settlement address the dapp trusts. */
  CHAIN_NOT_CONFIGURED: 'BAD_INPUT',
  /** verifyResult cannot check this inference yet (no result, not in a batch, no proof). */
  NOT_VERIFIABLE: 'CONFLICT',
  /** verifyResult ran its checks and at least one failed (details.failed names them). */
  RESULT_NOT_VERIFIED: 'CONFLICT',
  ...commonCodes('API_UNREACHABLE', 'API_BAD_RESPONSE', 'INVALID_ARGUMENT', 'CHAIN_UNAVAILABLE'),
} as const satisfies ErrorCategories<string>;

export type ClientOwnErrorCode = keyof typeof CLIENT_ERROR_CATEGORIES;
export type VerityClientErrorCode = ClientOwnErrorCode | ApiErrorCode;

/** What the client throws: its own code, or the API's `extensions.code` carried through. */
export class VerityClientError extends AppError<VerityClientErrorCode> {
  get category(): ErrorCategory {
    return Object.hasOwn(CLIENT_ERROR_CATEGORIES, this.code)
      ? CLIENT_ERROR_CATEGORIES[this.code as ClientOwnErrorCode]
      : API_ERROR_CATEGORIES[this.code as ApiErrorCode];
  }
}

/** The client's error for an API failure with `code` (an unknown code becomes GRAPHQL_ERROR, kept in details.apiCode). */
export function clientFailure(code: string, message: string, details: Record<string, unknown>, cause?: unknown): VerityClientError {
  if (Object.hasOwn(CLIENT_ERROR_CATEGORIES, code)) {
    return new VerityClientError(code as ClientOwnErrorCode, message, details, cause === undefined ? undefined : { cause });
  }
  const failure = apiFailure(code, details);
  return new VerityClientError(failure.code, message, failure.details, cause === undefined ? undefined : { cause });
}

export function isVerityClientError(error: unknown): error is VerityClientError {
  return error instanceof VerityClientError;
}
