/**
 * What kind of failure an error is. It decides what a client is told and how the error is logged:
 * - refusals, which the caller meets by changing its request or waiting: BAD_INPUT, NOT_FOUND,
 *   CONFLICT, UNAUTHORIZED, RATE_LIMITED. Clients see the message; logs get no stack trace.
 * - failures of the service itself: UNAVAILABLE (database, chain RPC, a dependency down: retrying
 *   later can help) and INTERNAL (a bug or a broken setup). Clients see only the code and a generic
 *   message; logs get the stack trace.
 */
export type ErrorCategory =
  'BAD_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHORIZED' | 'RATE_LIMITED' | 'UNAVAILABLE' | 'INTERNAL';

/** Every code of a module with its category: the module's code union is this table's keys. */
export type ErrorCategories<Code extends string> = { readonly [K in Code]: ErrorCategory };

/** Whether an error of this category is an expected refusal rather than a failure of the service. */
export function isRefusal(category: ErrorCategory): boolean {
  switch (category) {
    case 'BAD_INPUT':
    case 'NOT_FOUND':
    case 'CONFLICT':
    case 'UNAUTHORIZED':
    case 'RATE_LIMITED':
      return true;
    case 'UNAVAILABLE':
    case 'INTERNAL':
      return false;
  }
}

/**
 * The base of every error Verity raises on purpose (viem's BaseError, one subclass per module as
 * in Twenty): a stable machine-readable code from the module's closed union, a short message that
 * says what was wrong, optional details, and the underlying cause. Framework-free: the engine's
 * error extends it too.
 */
export abstract class AppError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The code's category, from the module's table. */
  abstract get category(): ErrorCategory;
}

/**
 * The error class of a module, from its table of codes: `export class ZkError extends
 * moduleErrorClass(ZK_ERROR_CATEGORIES) {}`. Its codes are the table's keys, and a code's
 * category is the table's.
 */
export function moduleErrorClass<const Table extends ErrorCategories<string>>(categories: Table) {
  return class ModuleError extends AppError<keyof Table & string> {
    get category(): ErrorCategory {
      return categories[this.code];
    }
  };
}
