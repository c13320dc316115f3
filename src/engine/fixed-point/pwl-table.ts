/**
 * Piecewise-linear tables (sigmoid, tanh, exp for softmax). The table integers are stored IN the
 * quantized model, so every implementation uses the same integers and nobody calls Math.exp at
 * verification time.
 */
import { EngineError } from '../engine.errors';
import { floorShift, quantizeReal } from './fixed-point-arith';

export type PwlFunction = 'sigmoid' | 'tanh' | 'exp' | UnaryPwlFunction;

/** Functions of the generic `pwl` step (docs/semantics.md section 4.1). */
export type UnaryPwlFunction = 'exp' | 'erf' | 'elu' | 'selu' | 'celu' | 'softplus';

/** All values are fixed-point integers at 2^F except stepLog2 (k) and shiftBits (F - k). */
export interface PwlTable {
  fn: PwlFunction;
  /** lo * 2^F and hi * 2^F: the domain [lo, hi) in fixed point. */
  loFixed: number;
  hiFixed: number;
  /** k: the step is h = 2^-k. */
  stepLog2: number;
  /** F - k: idx = (x - lo*2^F) >> shiftBits. */
  shiftBits: number;
  /** v_i = q(f(lo + i*h), F) for i = 0..n. */
  values: number[];
  /** Output for x < lo*2^F (v_0 for sigmoid/tanh, 0 for exp). */
  belowValue: number;
  /** Output for x >= hi*2^F (v_n). */
  aboveValue: number;
}

export interface PwlDomain {
  lo: number;
  hi: number;
  stepLog2: number;
}

const REAL_FUNCTIONS: Partial<Record<PwlFunction, (x: number) => number>> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: (x) => Math.tanh(x),
  exp: (x) => Math.exp(x),
};

export function buildPwlTable(fn: PwlFunction, domain: PwlDomain, fractionBits: number, real?: (x: number) => number): PwlTable {
  const count = (domain.hi - domain.lo) * 2 ** domain.stepLog2;
  const f = real ?? REAL_FUNCTIONS[fn];
  if (!f) throw new EngineError('INVALID_ARGUMENT', `no real function given for the PWL table of ${fn}`);
  const values: number[] = [];
  for (let i = 0; i <= count; i++) {
    values.push(quantizeReal(f(domain.lo + i / 2 ** domain.stepLog2), fractionBits));
  }
  return {
    fn,
    loFixed: domain.lo * 2 ** fractionBits,
    hiFixed: domain.hi * 2 ** fractionBits,
    stepLog2: domain.stepLog2,
    shiftBits: fractionBits - domain.stepLog2,
    values,
    belowValue: fn === 'exp' ? 0 : values[0],
    aboveValue: values[count],
  };
}

/** y = v_idx + ((v_{idx+1} - v_idx) * t) >> (F - k), with the out-of-domain rules. */
export function evaluatePwl(table: PwlTable, x: number): number {
  if (x < table.loFixed) return table.belowValue;
  if (x >= table.hiFixed) return table.aboveValue;
  const offset = x - table.loFixed;
  const idx = floorShift(offset, table.shiftBits);
  const t = offset - idx * 2 ** table.shiftBits;
  const low = table.values[idx];
  return low + floorShift((table.values[idx + 1] - low) * t, table.shiftBits);
}

/** max |v| over the table and the out-of-domain values. */
export function pwlOutputBound(table: PwlTable): number {
  return Math.max(Math.abs(table.belowValue), Math.abs(table.aboveValue), ...table.values.map(Math.abs));
}

/** max |v_{i+1} - v_i|. */
export function pwlMaxDelta(table: PwlTable): number {
  let maxDelta = 0;
  for (let i = 0; i + 1 < table.values.length; i++) {
    maxDelta = Math.max(maxDelta, Math.abs(table.values[i + 1] - table.values[i]));
  }
  return maxDelta;
}
