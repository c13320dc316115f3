import { moduleErrorClass, type ErrorCategories } from '../common/app-error';

export const DATABASE_ERROR_CATEGORIES = {
  /** DATABASE_URL does not answer. */
  DATABASE_UNREACHABLE: 'UNAVAILABLE',
  /** The embedded PostgreSQL (no DATABASE_URL) did not start. */
  EMBEDDED_POSTGRES_FAILED: 'INTERNAL',
} as const satisfies ErrorCategories<string>;

export type DatabaseErrorCode = keyof typeof DATABASE_ERROR_CATEGORIES;

export class DatabaseError extends moduleErrorClass(DATABASE_ERROR_CATEGORIES) {}
