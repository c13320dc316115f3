import { moduleErrorClass, type ErrorCategories } from './app-error';

/**
 * Codes that several modules raise, each defined here once with its category; a module takes the
 * ones it uses with `commonCodes(...)`.
 */
export const COMMON_ERROR_CATEGORIES = {
  /** A programmatic argument (CLI flag, client call) is out of range or malformed. */
  INVALID_ARGUMENT: 'BAD_INPUT',
  /** `first` of a page is outside what the field accepts. */
  INVALID_PAGE_SIZE: 'BAD_INPUT',
  /** A page cursor that this API did not issue. */
  INVALID_CURSOR: 'BAD_INPUT',
  /** The caller's per-minute budget is spent (`details.retryAfterSeconds`). */
  RATE_LIMITED: 'RATE_LIMITED',
  /**
   * The chain's RPC node did not answer (after retries). The one code for "the chain is down":
   * it replaced CHAIN_UNREACHABLE, which `verity challenger` and the chain connection used before.
   */
  CHAIN_UNAVAILABLE: 'UNAVAILABLE',
  /** A client of the API (`verity worker`, `verity challenger`): the API did not answer. */
  API_UNREACHABLE: 'UNAVAILABLE',
  /** A client of the API: it answered without a GraphQL body or without the field asked for. */
  API_BAD_RESPONSE: 'UNAVAILABLE',
} as const satisfies ErrorCategories<string>;

export type CommonErrorCode = keyof typeof COMMON_ERROR_CATEGORIES;

/** The common codes a module uses, with their categories, to spread into the module's table. */
export function commonCodes<const C extends CommonErrorCode>(
  ...codes: C[]
): { readonly [K in C]: (typeof COMMON_ERROR_CATEGORIES)[K] } {
  return Object.fromEntries(codes.map((code) => [code, COMMON_ERROR_CATEGORIES[code]])) as {
    readonly [K in C]: (typeof COMMON_ERROR_CATEGORIES)[K];
  };
}

/** An error of src/common itself (the GraphQL rate limit). */
export class CommonError extends moduleErrorClass(COMMON_ERROR_CATEGORIES) {}
