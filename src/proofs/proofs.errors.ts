import { AppError } from '../common/app-error';

export type ProofsErrorCode = 'ZK_CIRCUIT_NOT_FOUND' | 'ZK_NOT_READY' | 'ZK_PROOF_MISMATCH';

export class ProofsError extends AppError {
  constructor(
    override readonly code: ProofsErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details);
  }
}
