import { moduleErrorClass, type ErrorCategories } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

export const MAX_MODEL_BYTES = 8 * 1024 * 1024;
export const MAX_MODEL_NAME_LENGTH = 100;

export const MODELS_ERROR_CATEGORIES = {
  MODEL_NOT_FOUND: 'NOT_FOUND',
  INVALID_MODEL_UPLOAD: 'BAD_INPUT',
  /** The same code as the engine's: a model over a compile limit (memory). */
  MODEL_LIMIT_EXCEEDED: 'BAD_INPUT',
  /** The model took longer to compile than MODEL_IMPORT_TIMEOUT_MS allows. */
  MODEL_IMPORT_TIMEOUT: 'BAD_INPUT',
  /** Too many uploads wait to be compiled, or the service is stopping: retry later. */
  MODEL_COMPILER_BUSY: 'RATE_LIMITED',
  /** A dispute move of the model could need more gas than MAX_DISPUTE_MOVE_GAS (names step, move, figure). */
  DISPUTE_MOVE_OVER_BUDGET: 'BAD_INPUT',
  ...commonCodes('INVALID_CURSOR', 'INVALID_PAGE_SIZE'),
} as const satisfies ErrorCategories<string>;

export type ModelsErrorCode = keyof typeof MODELS_ERROR_CATEGORIES;

export class ModelsError extends moduleErrorClass(MODELS_ERROR_CATEGORIES) {}
