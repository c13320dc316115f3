import { AppError, type ErrorCategories, type ErrorCategory } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

/** The engine's codes, each with its category: everything but a backend failure is bad input. */
export const ENGINE_ERROR_CATEGORIES = {
  MALFORMED_ONNX: 'BAD_INPUT',
  UNSUPPORTED_OP: 'BAD_INPUT',
  UNSUPPORTED_MODEL: 'BAD_INPUT',
  DYNAMIC_SHAPE: 'BAD_INPUT',
  INPUT_SHAPE: 'BAD_INPUT',
  INPUT_FORMAT: 'BAD_INPUT',
  NON_FINITE_INPUT: 'BAD_INPUT',
  INPUT_OUT_OF_BOUND: 'BAD_INPUT',
  OVERFLOW: 'BAD_INPUT',
  MODEL_TOO_LARGE_RANGE: 'BAD_INPUT',
  INVALID_QUANTIZED_MODEL: 'BAD_INPUT',
  /** onnxruntime failed on a model the engine accepted. */
  BACKEND_FAILURE: 'INTERNAL',
  /** A model over one of the import limits (tensor size, total work). */
  MODEL_LIMIT_EXCEEDED: 'BAD_INPUT',
  /** The committed MNIST fixture (test/fixtures/mnist) or its package is missing or malformed. */
  FIXTURE_INVALID: 'INTERNAL',
  ...commonCodes('INVALID_ARGUMENT'),
} as const satisfies ErrorCategories<string>;

export type EngineErrorCode = keyof typeof ENGINE_ERROR_CATEGORIES;

export type EngineErrorDetails = Record<string, unknown>;

/** The engine's single error type: a stable machine-readable code, a short message and details. */
export class EngineError extends AppError<EngineErrorCode> {
  declare readonly details: EngineErrorDetails;

  constructor(
    code: EngineErrorCode,
    message: string,
    details: EngineErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }

  get category(): ErrorCategory {
    return ENGINE_ERROR_CATEGORIES[this.code];
  }
}

/** Narrowing helper for catch blocks. */
export function isEngineError(error: unknown): error is EngineError {
  return error instanceof EngineError;
}

/** Whether a code (from another thread, say) is one of the engine's. */
export function isEngineErrorCode(code: string): code is EngineErrorCode {
  return Object.hasOwn(ENGINE_ERROR_CATEGORIES, code);
}
