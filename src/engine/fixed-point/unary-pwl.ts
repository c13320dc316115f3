/**
 * The generic PWL unary functions of docs/semantics.md section 4.1: a table of section 4 on a
 * fixed domain, and outside it an affine rule `rescale(x * slope, F) + value` (slope 0: a
 * constant; slope 2^F: the identity). The tables are integers stored in the quantized model.
 */
import { erf } from './erf';
import { quantizeReal, rescale } from './fixed-point-arith';
import { type PwlDomain, type PwlTable, type UnaryPwlFunction, buildPwlTable, evaluatePwl } from './pwl-table';

export interface UnaryPwl {
  table: PwlTable;
  /** At 2^F. */
  belowSlope: number;
  aboveSlope: number;
}

interface Rule {
  domain: PwlDomain;
  f: (x: number) => number;
  /** Real slope outside the domain (0: the table's end value is kept). */
  belowSlope: number;
  aboveSlope: number;
}

/** Domains and out-of-domain rules; every table has 257 values (n = 256). */
function rule(fn: UnaryPwlFunction, alpha: number, gamma: number): Rule {
  switch (fn) {
    case 'exp':
      // saturates at exp(16) above the domain, 0 below (exp(-16) < 2^-23)
      return { domain: { lo: -16, hi: 16, stepLog2: 3 }, f: Math.exp, belowSlope: 0, aboveSlope: 0 };
    case 'erf':
      return { domain: { lo: -4, hi: 4, stepLog2: 5 }, f: erf, belowSlope: 0, aboveSlope: 0 };
    case 'elu':
      return { domain: { lo: -16, hi: 0, stepLog2: 4 }, f: (x) => alpha * Math.expm1(x), belowSlope: 0, aboveSlope: 1 };
    case 'selu':
      return { domain: { lo: -16, hi: 0, stepLog2: 4 }, f: (x) => gamma * alpha * Math.expm1(x), belowSlope: 0, aboveSlope: gamma };
    case 'celu':
      return { domain: { lo: -16, hi: 0, stepLog2: 4 }, f: (x) => alpha * Math.expm1(x / alpha), belowSlope: 0, aboveSlope: 1 };
    case 'softplus':
      // log(1 + e^x) - max(x, 0) < 2^-23 outside [-16, 16)
      return { domain: { lo: -16, hi: 16, stepLog2: 3 }, f: (x) => Math.log1p(Math.exp(x)), belowSlope: 0, aboveSlope: 1 };
  }
}

export function buildUnaryPwl(fn: UnaryPwlFunction, alpha: number, gamma: number, fractionBits: number): UnaryPwl {
  const r = rule(fn, alpha, gamma);
  const table = buildPwlTable(fn, r.domain, fractionBits, r.f);
  // outside the domain: the end value of the table plus the slope part (0 for the identity at hi = 0)
  const above = r.aboveSlope === 0 ? table.aboveValue : quantizeReal(r.f(r.domain.hi) - r.aboveSlope * r.domain.hi, fractionBits);
  return {
    table: { ...table, belowValue: table.values[0], aboveValue: above },
    belowSlope: quantizeReal(r.belowSlope, fractionBits),
    aboveSlope: quantizeReal(r.aboveSlope, fractionBits),
  };
}

/** The rule of section 4.1 on one fixed-point value. */
export function evaluateUnaryPwl(pwl: UnaryPwl, x: number, fractionBits: number): number {
  const { table } = pwl;
  if (x < table.loFixed) return rescale(x * pwl.belowSlope, fractionBits) + table.belowValue;
  if (x >= table.hiFixed) return rescale(x * pwl.aboveSlope, fractionBits) + table.aboveValue;
  return evaluatePwl(table, x);
}
