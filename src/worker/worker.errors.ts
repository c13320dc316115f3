import { apiClientErrorClass, type ApiErrorCode } from '../api-error-codes';
import type { ErrorCategories } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

/** The worker's own codes; the API's codes (WORKER_AUTH_INVALID, WORKER_NOT_STAKED, ...) pass through. */
export const WORKER_ERROR_CATEGORIES = {
  MODEL_COMMITMENT_MISMATCH: 'BAD_INPUT',
  INVALID_MODEL: 'BAD_INPUT',
  INPUT_COMMITMENT_MISMATCH: 'BAD_INPUT',
  INVALID_JOB: 'BAD_INPUT',
  STAKE_FAILED: 'UNAVAILABLE',
  ...commonCodes('API_UNREACHABLE', 'API_BAD_RESPONSE', 'INVALID_ARGUMENT'),
} as const satisfies ErrorCategories<string>;

/**
 * Why a worker call or job failed: the worker's own codes, or the API's from the server's
 * `errors[0].extensions.code` (see api-error-codes.ts).
 */
export type WorkerErrorCode = keyof typeof WORKER_ERROR_CATEGORIES | ApiErrorCode;

/** A worker call may succeed later after the API's transient codes (API_TRANSIENT_CODES). */
export class WorkerError extends apiClientErrorClass(WORKER_ERROR_CATEGORIES) {}

export function isTransient(error: unknown): boolean {
  return error instanceof WorkerError && error.transient;
}
