/** The engine's single error type: a stable machine-readable code, a short message and details. */
export type EngineErrorCode =
  | 'MALFORMED_ONNX'
  | 'UNSUPPORTED_OP'
  | 'UNSUPPORTED_MODEL'
  | 'DYNAMIC_SHAPE'
  | 'INPUT_SHAPE'
  | 'INPUT_FORMAT'
  | 'NON_FINITE_INPUT'
  | 'INPUT_OUT_OF_BOUND'
  | 'OVERFLOW'
  | 'MODEL_TOO_LARGE_RANGE'
  | 'INVALID_QUANTIZED_MODEL'
  | 'BACKEND_FAILURE'
  | 'INVALID_ARGUMENT'
  | 'MODEL_LIMIT_EXCEEDED';

export type EngineErrorDetails = Record<string, unknown>;

export class EngineError extends Error {
  override readonly name = 'EngineError';

  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly details: EngineErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Narrowing helper for catch blocks. */
export function isEngineError(error: unknown): error is EngineError {
  return error instanceof EngineError;
}
