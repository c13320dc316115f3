/**
 * Exact integer square roots (docs/semantics.md section 3.4) on safe integers: `isqrt(v) =
 * floor(sqrt(v))` for 0 <= v < 2^53. Math.sqrt is correctly rounded, so floor(Math.sqrt(v)) is
 * isqrt(v) or isqrt(v) + 1 (when sqrt(v) lies within half an ulp below an integer, e.g. v = k^2 - 1
 * for k near 2^26); one comparison of r * r (exact below 2^53) with v corrects it. The float64
 * graph applies the same two corrections.
 */
export function isqrt(v: number): number {
  if (v <= 0) return 0;
  let r = Math.floor(Math.sqrt(v));
  if (r * r > v) r -= 1;
  if ((r + 1) * (r + 1) <= v) r += 1;
  return r;
}

/** Sqrt of a fixed-point value at 2^F: floor(sqrt(x * 2^F)), 0 for x <= 0. */
export function sqrtFixed(x: number, fractionBits: number): number {
  return x <= 0 ? 0 : isqrt(x * 2 ** fractionBits);
}
