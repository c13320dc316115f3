import { AppError } from '../common/app-error';

export type ProofsErrorCode =
  | 'ZK_CIRCUIT_NOT_FOUND'
  | 'ZK_NOT_READY'
  | 'ZK_PROOF_MISMATCH'
  | 'ZK_CIRCUIT_LIMIT'
  | 'ZK_SETUP_BUSY';

/** Circuits (batch sizes) one model may have: each one is a compile, a setup and a verifier deployment. */
export const MAX_ZK_CIRCUITS_PER_MODEL = 4;
/** Circuits prepared at once across all models (each takes minutes of CPU). */
export const MAX_ZK_CIRCUITS_PREPARING = 2;
/** enableZkMode calls per peer address per minute, on top of the general rate limit. */
export const ENABLE_ZK_MODE_PER_MINUTE = 5;

export class ProofsError extends AppError {
  constructor(
    override readonly code: ProofsErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}
