import { moduleErrorClass, type ErrorCategories } from '../common/app-error';
import { commonCodes } from '../common/common.errors';

export const CHALLENGES_ERROR_CATEGORIES = {
  /** A move the defender sent was mined but reverted (the game moved on in between). */
  DISPUTE_MOVE_REVERTED: 'CONFLICT',
  /** The chain did not answer a read of a dispute's moves or clocks (Dispute.history, Dispute.clocks). */
  DISPUTE_READ_FAILED: 'UNAVAILABLE',
  /** `first` of the disputes query is outside 1..MAX_DISPUTES_PAGE_SIZE. */
  ...commonCodes('INVALID_PAGE_SIZE'),
} as const satisfies ErrorCategories<string>;

export type ChallengesErrorCode = keyof typeof CHALLENGES_ERROR_CATEGORIES;

/** An error of the service's dispute handling (src/challenges). */
export class ChallengesError extends moduleErrorClass(CHALLENGES_ERROR_CATEGORIES) {}
