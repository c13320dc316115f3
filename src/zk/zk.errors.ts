import { AppError } from '../common/app-error';

/** Stable codes for everything the zk pipeline refuses or fails at. */
export type ZkErrorCode =
  | 'CIRCUIT_COMPILE_FAILED'
  | 'ZK_UNSUPPORTED_MODEL'
  | 'ZK_MODEL_TOO_LARGE'
  | 'ZK_INPUT_INVALID'
  | 'WITNESS_FAILED'
  | 'PTAU_INVALID'
  | 'PTAU_TOO_SMALL'
  | 'SETUP_FAILED'
  | 'TRANSCRIPT_INVALID'
  | 'PROOF_FAILED'
  | 'PROOF_INVALID'
  | 'VERIFIER_BUILD_FAILED';

export class ZkError extends AppError {
  constructor(
    override readonly code: ZkErrorCode,
    message: string,
    details?: Record<string, unknown>,
    cause?: unknown,
  ) {
    super(code, message, details, cause === undefined ? undefined : { cause });
  }
}
