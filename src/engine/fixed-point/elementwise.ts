/**
 * Exact integer elementwise rules of docs/semantics.md section 3.2 on safe integers (Numbers):
 * rounding a fixed-point value to a whole real unit, sign, comparisons. Shared by the evaluator and
 * the specs; every intermediate is within 2^F of the input, so Number arithmetic is exact.
 */
import type { CompareKind } from '../onnx/imported-model.types';

/** (x >> F) << F: the largest multiple of 2^F <= x. */
export function floorToUnit(x: number, fractionBits: number): number {
  const unit = 2 ** fractionBits;
  return Math.floor(x / unit) * unit;
}

/** -((-x) >> F) << F: the smallest multiple of 2^F >= x. */
export function ceilToUnit(x: number, fractionBits: number): number {
  return -floorToUnit(-x, fractionBits);
}

/** The multiple of 2^F nearest to x, ties to the even multiple (ONNX Round). */
export function roundToUnit(x: number, fractionBits: number): number {
  const unit = 2 ** fractionBits;
  const low = floorToUnit(x, fractionBits);
  const rest = x - low;
  const half = unit / 2;
  const lowIsOdd = Math.floor(low / unit) % 2 !== 0;
  return rest > half || (rest === half && lowIsOdd) ? low + unit : low;
}

/** 2^F, -2^F or 0. */
export function signUnit(x: number, fractionBits: number): number {
  return x > 0 ? 2 ** fractionBits : x < 0 ? -(2 ** fractionBits) : 0;
}

export const COMPARE_KIND_CODES: Record<CompareKind, number> = { less: 0, lessOrEqual: 1, greater: 2, greaterOrEqual: 3, equal: 4 };

/** 2^F when `a kind b` holds, else 0. */
export function compareUnit(kind: CompareKind, a: number, b: number, fractionBits: number): number {
  const holds = kind === 'less' ? a < b : kind === 'lessOrEqual' ? a <= b : kind === 'greater' ? a > b : kind === 'greaterOrEqual' ? a >= b : a === b;
  return holds ? 2 ** fractionBits : 0;
}
