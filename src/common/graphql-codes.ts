import type { ErrorCategories } from './app-error';

/**
 * Codes that Apollo, GraphQL validation and Verity's GraphQL limits set themselves (not through an
 * AppError), with their categories. They pass the translator unchanged.
 */
export const GRAPHQL_ERROR_CATEGORIES = {
  GRAPHQL_PARSE_FAILED: 'BAD_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_INPUT',
  BAD_USER_INPUT: 'BAD_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'NOT_FOUND',
  BAD_REQUEST: 'BAD_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_INPUT',
  /** Verity's operation cost limit (common/graphql-limits.ts). */
  QUERY_TOO_COMPLEX: 'BAD_INPUT',
  /** graphql-ws limits (common/graphql-ws-limits.ts). */
  TOO_MANY_SUBSCRIPTIONS: 'RATE_LIMITED',
  WS_OPERATION_NOT_ALLOWED: 'BAD_INPUT',
  /** A subscribe that arrived before the API had built its schema: retry in a moment. */
  SERVICE_STARTING: 'UNAVAILABLE',
  /** Anything that is not an AppError: its message is never shown. */
  INTERNAL_SERVER_ERROR: 'INTERNAL',
  /** What a client of the API (common/graphql-post.ts) calls an error that came without a code. */
  GRAPHQL_ERROR: 'INTERNAL',
} as const satisfies ErrorCategories<string>;

export type GraphqlErrorCode = keyof typeof GRAPHQL_ERROR_CATEGORIES;
