import { moduleErrorClass, type ErrorCategories } from '../common/app-error';

/** Stable codes for everything the zk pipeline refuses or fails at, each with its category. */
export const ZK_ERROR_CATEGORIES = {
  CIRCUIT_COMPILE_FAILED: 'INTERNAL',
  ZK_UNSUPPORTED_MODEL: 'BAD_INPUT',
  ZK_MODEL_TOO_LARGE: 'BAD_INPUT',
  ZK_INPUT_INVALID: 'BAD_INPUT',
  WITNESS_FAILED: 'INTERNAL',
  /** The operator's ptau file (ZK_PTAU_PATH) or the cached development one is not usable. */
  PTAU_INVALID: 'INTERNAL',
  PTAU_TOO_SMALL: 'INTERNAL',
  SETUP_FAILED: 'INTERNAL',
  TRANSCRIPT_INVALID: 'INTERNAL',
  PROOF_FAILED: 'INTERNAL',
  /** A proof (or proof file) that is malformed or does not match. */
  PROOF_INVALID: 'BAD_INPUT',
  VERIFIER_BUILD_FAILED: 'INTERNAL',
} as const satisfies ErrorCategories<string>;

export type ZkErrorCode = keyof typeof ZK_ERROR_CATEGORIES;

export class ZkError extends moduleErrorClass(ZK_ERROR_CATEGORIES) {
  constructor(code: ZkErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(code, message, details, cause === undefined ? undefined : { cause });
  }
}

/** Whether a code (from the pipeline's thread, say) is one of the zk pipeline's. */
export function isZkErrorCode(code: string): code is ZkErrorCode {
  return Object.hasOwn(ZK_ERROR_CATEGORIES, code);
}
