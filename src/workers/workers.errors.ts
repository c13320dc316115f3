import { moduleErrorClass, type ErrorCategories } from '../common/app-error';

export const WORKERS_ERROR_CATEGORIES = {
  WORKER_AUTH_INVALID: 'UNAUTHORIZED',
  WORKER_AUTH_EXPIRED: 'UNAUTHORIZED',
  WORKER_AUTH_REPLAYED: 'UNAUTHORIZED',
  WORKER_NOT_REGISTERED: 'UNAUTHORIZED',
  WORKER_NOT_STAKED: 'UNAUTHORIZED',
  /** Too many lapsed leases: claims are refused for a while (docs/service.md). */
  WORKER_EXCLUDED: 'UNAUTHORIZED',
  INVALID_WORKER_INPUT: 'BAD_INPUT',
  JOB_NOT_FOUND: 'NOT_FOUND',
  JOB_NOT_HELD: 'CONFLICT',
  DUPLICATE_SUBMISSION: 'CONFLICT',
  INVALID_RESULT: 'BAD_INPUT',
  RESULT_COMMITMENT_MISMATCH: 'BAD_INPUT',
  RESULT_SIGNATURE_INVALID: 'BAD_INPUT',
  SIGNATURE_NOT_CANONICAL: 'BAD_INPUT',
} as const satisfies ErrorCategories<string>;

export type WorkersErrorCode = keyof typeof WORKERS_ERROR_CATEGORIES;

export class WorkersError extends moduleErrorClass(WORKERS_ERROR_CATEGORIES) {}
