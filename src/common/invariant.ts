/**
 * The only places that throw a bare Error: a violated programmer invariant, which no caller can
 * meet and no input can cause. Every failure a caller can meet throws its module's AppError
 * (lint: no-restricted-syntax on `throw new Error` in src/).
 */

/** Asserts what the code around it guarantees; throws (a bug) when it does not hold. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`invariant violated: ${message}`);
}

/** The `default` of an exhaustive switch: TypeScript proves it unreachable, this throws if it is reached anyway. */
export function unreachable(value: never, what = 'value'): never {
  throw new Error(`unreachable: unexpected ${what} ${String(value)}`);
}
