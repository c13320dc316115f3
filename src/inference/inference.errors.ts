import { moduleErrorClass, type ErrorCategories } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

export const INFERENCE_ERROR_CATEGORIES = {
  INFERENCE_NOT_FOUND: 'NOT_FOUND',
  MODE_NOT_ALLOWED: 'BAD_INPUT',
  DUPLICATE_REQUEST: 'CONFLICT',
  INVALID_CLIENT_REQUEST_ID: 'BAD_INPUT',
  /** requestInferences with no input or more than MAX_REQUESTS_PER_CALL. */
  TOO_MANY_REQUESTS: 'BAD_INPUT',
  /** A status outside the lifecycle table reached the SQL builder (a programming error). */
  UNKNOWN_STATUS: 'INTERNAL',
  ...commonCodes('INVALID_PAGE_SIZE', 'INVALID_CURSOR'),
} as const satisfies ErrorCategories<string>;

export type InferenceErrorCode = keyof typeof INFERENCE_ERROR_CATEGORIES;

export class InferenceError extends moduleErrorClass(INFERENCE_ERROR_CATEGORIES) {}
