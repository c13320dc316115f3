/**
 * Every code the API can answer with in `errors[].extensions.code`, with its category: the GraphQL
 * layer's own codes and those of every module the API runs. The clients of the API (`verity
 * worker`, `verity challenger`) carry these codes through as their own, so their unions stay closed.
 */
import { AppError, type ErrorCategories, type ErrorCategory } from './common/app-error';
import { COMMON_ERROR_CATEGORIES } from './common/common.errors';
import { GRAPHQL_ERROR_CATEGORIES } from './common/graphql-codes';
import { CHAIN_ERROR_CATEGORIES } from './chain/chain.errors';
import { CHAIN_TX_ERROR_CATEGORIES } from './chain-tx/chain-tx.errors';
import { CHALLENGES_ERROR_CATEGORIES } from './challenges/challenges.errors';
import { DATABASE_ERROR_CATEGORIES } from './database/database.errors';
import { ENGINE_ERROR_CATEGORIES } from './engine';
import { INFERENCE_ERROR_CATEGORIES } from './inference/inference.errors';
import { MODELS_ERROR_CATEGORIES } from './models/models.errors';
import { PROOFS_ERROR_CATEGORIES } from './proofs/proofs.errors';
import { RESULT_BATCHES_ERROR_CATEGORIES } from './result-batches/result-batches.errors';
import { SETTLEMENT_ERROR_CATEGORIES } from './settlement/settlement.errors';
import { WORKERS_ERROR_CATEGORIES } from './workers/workers.errors';
import { ZK_ERROR_CATEGORIES } from './zk/zk.errors';

/** Each module's table, by module (a code two modules share has one category: see the spec). */
export const API_MODULE_ERROR_CATEGORIES = {
  graphql: GRAPHQL_ERROR_CATEGORIES,
  common: COMMON_ERROR_CATEGORIES,
  engine: ENGINE_ERROR_CATEGORIES,
  models: MODELS_ERROR_CATEGORIES,
  inference: INFERENCE_ERROR_CATEGORIES,
  workers: WORKERS_ERROR_CATEGORIES,
  proofs: PROOFS_ERROR_CATEGORIES,
  zk: ZK_ERROR_CATEGORIES,
  challenges: CHALLENGES_ERROR_CATEGORIES,
  settlement: SETTLEMENT_ERROR_CATEGORIES,
  resultBatches: RESULT_BATCHES_ERROR_CATEGORIES,
  chainTx: CHAIN_TX_ERROR_CATEGORIES,
  chain: CHAIN_ERROR_CATEGORIES,
  database: DATABASE_ERROR_CATEGORIES,
} as const;

export type ApiErrorCode = {
  [M in keyof typeof API_MODULE_ERROR_CATEGORIES]: keyof (typeof API_MODULE_ERROR_CATEGORIES)[M];
}[keyof typeof API_MODULE_ERROR_CATEGORIES];

export const API_ERROR_CATEGORIES: Readonly<Record<ApiErrorCode, ErrorCategory>> = Object.assign(
  {},
  ...Object.values(API_MODULE_ERROR_CATEGORIES),
) as Record<ApiErrorCode, ErrorCategory>;

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERROR_CATEGORIES, code);
}

/**
 * A client's view of the code an API call failed with: the code itself when this API can answer
 * with it, else GRAPHQL_ERROR with the unknown code kept in `details.apiCode` (an API of another
 * version).
 */
export function apiFailure(
  code: string,
  details: Record<string, unknown>,
): { code: ApiErrorCode; details: Record<string, unknown> } {
  return isApiErrorCode(code)
    ? { code, details }
    : { code: 'GRAPHQL_ERROR', details: { ...details, apiCode: code } };
}

/**
 * An error of a client of the API (`verity worker`, `verity challenger`): the client's own codes,
 * and the API's (from `errors[0].extensions.code`), which pass through as they are.
 */
export abstract class ApiClientError<Code extends string = string> extends AppError<Code> {
  /** Whether retrying the same call later can help (network trouble, 5xx, rate limits). */
  abstract get transient(): boolean;
}

/**
 * Codes after which the same call of a client of the API may succeed later without anything
 * changing on the client's side: the API did not answer or answered without a body, a 5xx, a rate
 * limit.
 */
export const API_TRANSIENT_CODES = [
  'API_UNREACHABLE',
  'API_BAD_RESPONSE',
  'INTERNAL_SERVER_ERROR',
  'RATE_LIMITED',
] as const satisfies readonly ApiErrorCode[];

/**
 * The error class of a client of the API, from its own table of codes (a code of its own takes
 * precedence over the API's) and the codes of its own after which a call may succeed later, on
 * top of API_TRANSIENT_CODES.
 */
export function apiClientErrorClass<const Own extends ErrorCategories<string>>(
  own: Own,
  ownTransientCodes: readonly (keyof Own & string)[] = [],
) {
  const categories: Readonly<Record<string, ErrorCategory>> = { ...API_ERROR_CATEGORIES, ...own };
  const transient: ReadonlySet<string> = new Set([...API_TRANSIENT_CODES, ...ownTransientCodes]);
  return class ClientError extends ApiClientError<(keyof Own & string) | ApiErrorCode> {
    get category(): ErrorCategory {
      return categories[this.code];
    }

    get transient(): boolean {
      return transient.has(this.code);
    }
  };
}

/** Whether an error of a client of the API says that the same call may succeed later. */
export function isTransientApiError(error: unknown): boolean {
  return error instanceof ApiClientError && error.transient;
}
