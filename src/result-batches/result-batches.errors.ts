import { moduleErrorClass, type ErrorCategories } from '../common/app-error';

/** Codes of the result batches' rows and Merkle trees (batch-leaves.ts). */
export const RESULT_BATCHES_ERROR_CATEGORIES = {
  /** A batch's rows are incomplete (a leaf without its result, a missing index, a malformed hash). */
  DATA_INCONSISTENT: 'INTERNAL',
} as const satisfies ErrorCategories<string>;

export type ResultBatchesErrorCode = keyof typeof RESULT_BATCHES_ERROR_CATEGORIES;

/** An error of src/result-batches. */
export class ResultBatchesError extends moduleErrorClass(RESULT_BATCHES_ERROR_CATEGORIES) {}
