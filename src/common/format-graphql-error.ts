import type { GraphQLFormattedError } from 'graphql';
import { AppError, isRefusal } from './app-error';
import { GRAPHQL_ERROR_CATEGORIES, type GraphqlErrorCode } from './graphql-codes';
import { MAX_QUERY_DEPTH } from './graphql-limits';

/** What a client reads instead of the message of a failure of the service (database, chain RPC, files). */
export const UNAVAILABLE_MESSAGE = 'the service cannot complete this operation right now; retry later';
export const INTERNAL_MESSAGE = 'internal error';

/**
 * An AppError as a GraphQL error, by its category (every module's code has one: see its
 * `*_ERROR_CATEGORIES` table). A refusal keeps its message and details; a failure of the service
 * gets a generic message and only its code, so that no database, RPC or file-system text reaches
 * a client (the log has it).
 */
function fromAppError(error: AppError, formatted: GraphQLFormattedError): GraphQLFormattedError {
  const where = { path: formatted.path, locations: formatted.locations };
  if (isRefusal(error.category)) {
    return {
      message: error.message,
      ...where,
      extensions: { code: error.code, ...(error.details ? { details: error.details } : {}) },
    };
  }
  const message = error.category === 'UNAVAILABLE' ? UNAVAILABLE_MESSAGE : INTERNAL_MESSAGE;
  return { message, ...where, extensions: { code: error.code } };
}

/** A code that Apollo, GraphQL validation or Verity's GraphQL limits set themselves. */
function isGraphqlCode(code: unknown): code is GraphqlErrorCode {
  return typeof code === 'string' && Object.hasOwn(GRAPHQL_ERROR_CATEGORIES, code);
}

/**
 * The one translator from Verity's errors to GraphQL errors: an AppError (the engine's included)
 * by its category; GraphQL's own codes unchanged; anything else is an internal error whose message
 * is not leaked.
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown } | undefined)?.originalError ?? error;
  if (original instanceof AppError) return fromAppError(original, formatted);
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
  if (isGraphqlCode(code) && isRefusal(GRAPHQL_ERROR_CATEGORIES[code])) {
    // never a stack trace (Apollo adds one outside production unless told not to)
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  if (isGraphqlCode(code) && GRAPHQL_ERROR_CATEGORIES[code] === 'UNAVAILABLE') {
    return { message: UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code } };
  }
  return { message: INTERNAL_MESSAGE, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
