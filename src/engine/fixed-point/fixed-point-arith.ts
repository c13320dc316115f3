/**
 * Exact fixed-point primitives shared by the quantizer and the evaluator.
 * All functions work on Numbers that are integers of magnitude < 2^53, where float64 is exact:
 * division by a power of two only changes the exponent, and Math.floor of that result is exact.
 */
import { EngineError } from '../engine.errors';

/** A JSON-safe integer: a number when |v| < 2^53, else a decimal string. */
export type IntLike = number | string;

/** round half away from zero, exact for every finite double (no `x + 0.5` rounding trap). */
export function roundHalfAwayFromZero(value: number): number {
  const magnitude = Math.abs(value);
  const floor = Math.floor(magnitude);
  const rounded = magnitude - floor >= 0.5 ? floor + 1 : floor;
  return value < 0 ? -rounded : rounded;
}

/** q(v, s) = round half away from zero (v * 2^s); refuses non-finite values. */
export function quantizeReal(value: number, scaleBits: number): number {
  if (!Number.isFinite(value)) {
    throw new EngineError('NON_FINITE_INPUT', `cannot quantize non-finite value ${value}`, { value });
  }
  return roundHalfAwayFromZero(value * 2 ** scaleBits);
}

/** floor(a / 2^s): arithmetic right shift. */
export function floorShift(value: number, shiftBits: number): number {
  return Math.floor(value / 2 ** shiftBits);
}

/** rescale(a, s) = floor((a + 2^(s-1)) / 2^s): round half up. */
export function rescale(value: number, shiftBits: number): number {
  return Math.floor((value + 2 ** (shiftBits - 1)) / 2 ** shiftBits);
}

/** BigInt versions used by the static bound computation (no precision limit). */
export function rescaleBig(value: bigint, shiftBits: number): bigint {
  const shifted = value + (1n << BigInt(shiftBits - 1));
  const divisor = 1n << BigInt(shiftBits);
  const quotient = shifted / divisor;
  return shifted < 0n && quotient * divisor !== shifted ? quotient - 1n : quotient;
}

export function absBig(value: bigint): bigint {
  return value < 0n ? -value : value;
}

export function maxBig(...values: bigint[]): bigint {
  return values.reduce((best, v) => (v > best ? v : best), 0n);
}

/** Encode a safe integer for JSON: number when |v| < 2^53, else decimal string. */
export function toIntLike(value: number | bigint): IntLike {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new EngineError('INVALID_QUANTIZED_MODEL', `not an integer: ${value}`);
    return Number.isSafeInteger(value) ? value : BigInt(value).toString();
  }
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) && BigInt(asNumber) === value ? asNumber : value.toString();
}

export function intLikeToBig(value: IntLike): bigint {
  return BigInt(value);
}

/** Decode an IntLike that the semantics guarantees is a safe integer; refuses anything else. */
export function intLikeToSafeNumber(value: IntLike, what: string): number {
  const asNumber = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(asNumber)) {
    throw new EngineError('OVERFLOW', `${what} = ${String(value)} is not a safe integer (|v| >= 2^53)`, { what });
  }
  return asNumber;
}

export function intLikeArrayToFloat64(values: readonly IntLike[], what: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = intLikeToSafeNumber(values[i], what);
  return out;
}
