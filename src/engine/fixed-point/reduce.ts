/**
 * Reductions over contiguous groups (docs/semantics.md section 3.3) on safe integers: every partial
 * sum is bounded by the step's static accumulator bound (< 2^52), so Number arithmetic is exact.
 * The importer moves the reduced axes last (a gather), so a group is `groupSize` consecutive values.
 */
import { isqrt } from './sqrt';

export type ReduceKind = 'sum' | 'mean' | 'max' | 'min' | 'l1' | 'argmax' | 'argmin' | 'l2';

/** Descriptor codes of the reduce kinds (section 11), appended only. */
export const REDUCE_KIND_CODES: Record<ReduceKind, number> = { sum: 0, mean: 1, max: 2, min: 3, l1: 4, argmax: 5, argmin: 6, l2: 7 };

/** floor(a / n) for a positive integer n (exact for |a| < 2^52: see section 3.3). */
export function floorDiv(a: number, n: number): number {
  return Math.floor(a / n);
}

/** The rule of section 3.3 on values[start, start + size). */
export function reduceGroup(kind: ReduceKind, values: ArrayLike<number>, start: number, size: number, fractionBits: number): number {
  switch (kind) {
    case 'sum':
    case 'mean':
    case 'l1': {
      let s = 0;
      for (let i = 0; i < size; i++) s += kind === 'l1' ? Math.abs(values[start + i]) : values[start + i];
      // mean: round half up of s / n, as floor((s + floor(n/2)) / n)
      return kind === 'mean' ? floorDiv(s + Math.floor(size / 2), size) : s;
    }
    case 'l2': {
      // isqrt of the sum of squares at 2^(2F): the L2 norm at 2^F, rounded down once
      let s = 0;
      for (let i = 0; i < size; i++) s += values[start + i] * values[start + i];
      return isqrt(s);
    }
    case 'max':
    case 'min':
    case 'argmax':
    case 'argmin': {
      const isMax = kind === 'max' || kind === 'argmax';
      let best = values[start];
      let at = 0;
      for (let i = 1; i < size; i++) {
        const v = values[start + i];
        // strict comparison: the first index wins a tie (ONNX select_last_index = 0)
        if (isMax ? v > best : v < best) {
          best = v;
          at = i;
        }
      }
      return kind === 'max' || kind === 'min' ? best : at * 2 ** fractionBits;
    }
  }
}
