import { AppError } from '../common/app-error';

export type ChallengesErrorCode =
  /** `first` of the disputes query is outside 1..MAX_DISPUTES_PAGE_SIZE. */
  | 'INVALID_PAGE_SIZE'
  /** A move the defender sent was mined but reverted (the game moved on in between). */
  | 'DISPUTE_MOVE_REVERTED';

/** An error of the service's dispute handling (src/challenges). */
export class ChallengesError extends AppError {
  constructor(
    code: ChallengesErrorCode,
    message: string,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }
}
