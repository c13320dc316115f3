import { AppError } from '../common/app-error';

export type WorkersErrorCode =
  | 'WORKER_AUTH_INVALID'
  | 'WORKER_AUTH_EXPIRED'
  | 'WORKER_AUTH_REPLAYED'
  | 'WORKER_NOT_REGISTERED'
  | 'WORKER_NOT_STAKED'
  | 'WORKER_EXCLUDED'
  | 'INVALID_WORKER_INPUT'
  | 'JOB_NOT_FOUND'
  | 'JOB_NOT_HELD'
  | 'DUPLICATE_SUBMISSION'
  | 'INVALID_RESULT'
  | 'RESULT_COMMITMENT_MISMATCH'
  | 'RESULT_SIGNATURE_INVALID'
  | 'SIGNATURE_NOT_CANONICAL';

export class WorkersError extends AppError {
  constructor(code: WorkersErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
