/**
 * The rows of a raw `query()` result. TypeORM's postgres driver returns `[rows, affected]` for
 * UPDATE and DELETE ... RETURNING but plain rows for SELECT and INSERT; this accepts both.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as T[];
  }
  return result as T[];
}
