import { AppError } from '../common/app-error';

export const MAX_MODEL_BYTES = 8 * 1024 * 1024;
export const MAX_MODEL_NAME_LENGTH = 100;

export type ModelsErrorCode =
  | 'MODEL_NOT_FOUND'
  | 'INVALID_MODEL_UPLOAD'
  | 'INVALID_CURSOR'
  | 'INVALID_PAGE_SIZE'
  | 'MODEL_LIMIT_EXCEEDED'
  | 'MODEL_IMPORT_TIMEOUT'
  | 'MODEL_COMPILER_BUSY'
  | 'DISPUTE_MOVE_OVER_BUDGET';

export class ModelsError extends AppError {
  constructor(code: ModelsErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
