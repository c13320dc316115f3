import type { GraphQLFormattedError } from 'graphql';
import { AppError } from './app-error';
import { MAX_QUERY_DEPTH } from './graphql-limits';

/** Codes that Apollo and GraphQL validation already set and that pass through unchanged. */
const GRAPHQL_OWN_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  // Verity's operation cost limit (common/graphql-limits.ts)
  'QUERY_TOO_COMPLEX',
]);

interface CodedError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

function codedError(error: unknown): CodedError | undefined {
  if (error instanceof AppError) return error;
  // The engine is framework-free and has its own error class with the same shape.
  if (
    error instanceof Error &&
    error.name === 'EngineError' &&
    typeof (error as { code?: unknown }).code === 'string'
  ) {
    return error as Error & CodedError;
  }
  return undefined;
}

/**
 * The one translator from Verity's errors to GraphQL errors: an AppError or EngineError keeps its
 * message and gets `extensions.code` (and `extensions.details`); anything else is an internal
 * error whose message is not leaked.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
  const coded = codedError(original);
  if (coded) {
    return {
      message: coded.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: coded.code, ...(coded.details ? { details: coded.details } : {}) },
    };
  }
  const code = formatted.extensions?.code;
  // graphql-js parses recursively: a document nested a few thousand levels deep overflows the stack
  // (Apollo wraps the RangeError once more).
  const parseCause = (original as { originalError?: unknown } | undefined)?.originalError ?? original;
  if (code === 'GRAPHQL_PARSE_FAILED' && parseCause instanceof Error && parseCause.name === 'RangeError') {
    return {
      message: `the document nests too deeply to parse; selections may nest at most ${MAX_QUERY_DEPTH} levels and values far fewer than a thousand`,
      extensions: { code },
    };
  }
  if (typeof code === 'string' && GRAPHQL_OWN_CODES.has(code)) return formatted;
  return { message: 'internal error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
