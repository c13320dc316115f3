import { AppError } from '../common/app-error';

/**
 * Why a worker call or job failed. API codes (WORKER_AUTH_INVALID, WORKER_NOT_STAKED, ...) come
 * from the server's `errors[0].extensions.code`; the others are the worker's own.
 */
export type WorkerErrorCode =
  | 'API_UNREACHABLE'
  | 'API_BAD_RESPONSE'
  | 'MODEL_COMMITMENT_MISMATCH'
  | 'INVALID_MODEL'
  | 'INPUT_COMMITMENT_MISMATCH'
  | 'INVALID_JOB'
  | 'STAKE_FAILED'
  | (string & {});

/** Codes after which the same call may succeed later without anything changing on our side. */
const TRANSIENT_CODES = new Set([
  'API_UNREACHABLE',
  'API_BAD_RESPONSE',
  'INTERNAL_SERVER_ERROR',
  'RATE_LIMITED',
]);

export class WorkerError extends AppError {
  constructor(
    override readonly code: WorkerErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }

  /** Whether retrying the same call later can help (network trouble, 5xx, rate limits). */
  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof WorkerError && error.transient;
}
