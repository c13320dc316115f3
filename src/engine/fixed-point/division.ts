/**
 * Division of fixed-point values (docs/semantics.md section 3.5) on safe integers:
 * `div(a, b) = b == 0 ? 0 : floor(a 2^F / b)` (floor of the real quotient, for either sign). For
 * |a 2^F| < 2^52 and an integer b != 0 the float64 quotient followed by floor is exact (section
 * 3.5); divQuotient still checks the remainder and reports an inexact one.
 */

/** floor(n / d) for integers |n| < 2^52, d != 0, or undefined if the float quotient was not exact. */
export function floorQuotient(n: number, d: number): number | undefined {
  const q = Math.floor(n / d) + 0; // + 0: no -0
  const r = n - q * d;
  return (d > 0 ? r >= 0 && r < d : r <= 0 && r > d) ? q : undefined;
}

/** div(a, b) at 2^F; undefined when the quotient check fails (never within the static bounds). */
export function divFixed(a: number, b: number, fractionBits: number): number | undefined {
  return b === 0 ? 0 : floorQuotient(a * 2 ** fractionBits, b);
}
