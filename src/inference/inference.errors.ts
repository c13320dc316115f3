import { AppError } from '../common/app-error';

export type InferenceErrorCode =
  | 'INFERENCE_NOT_FOUND'
  | 'MODE_NOT_ALLOWED'
  | 'DUPLICATE_REQUEST'
  | 'INVALID_CLIENT_REQUEST_ID'
  | 'INVALID_PAGE_SIZE'
  | 'INVALID_CURSOR';

export class InferenceError extends AppError {
  constructor(code: InferenceErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
