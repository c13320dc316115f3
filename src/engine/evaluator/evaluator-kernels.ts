/**
 * One kernel per op of the semantics (docs/semantics.md), on Float64Arrays of safe integers.
 * Every product and partial sum is below 2^52 by the static bounds, so Number arithmetic is
 * exact; accumulators are still checked against their bound and violations throw OVERFLOW.
 */
import { EngineError } from '../engine.errors';
import { ceilToUnit, compareUnit, floorToUnit, roundToUnit, signUnit } from '../fixed-point/elementwise';
import { evaluatePwl, type PwlTable } from '../fixed-point/pwl-table';
import { reduceGroup } from '../fixed-point/reduce';
import { sqrtFixed } from '../fixed-point/sqrt';
import { divFixed } from '../fixed-point/division';
import { evaluateUnaryPwl } from '../fixed-point/unary-pwl';
import type { PreparedStep } from './prepared-model';
import { invariant } from '../../common/invariant';

export interface KernelContext {
  fractionBits: number;
  half: number;
  inverseScale: number;
}

function overflow(prepared: PreparedStep, value: number, bound: number, kind: string): never {
  const { step } = prepared;
  throw new EngineError('OVERFLOW', `${kind} ${value} exceeds its static bound ${bound} at ${step.onnxOp} node "${step.name}"`, {
    node: step.name,
    value,
    bound,
  });
}

/** rescale(acc, F) after checking the accumulator (incl. the rounding term) against its bound. */
function rescaleChecked(prepared: PreparedStep, acc: number, ctx: KernelContext): number {
  const rounded = acc + ctx.half;
  if (Math.abs(rounded) > prepared.accumulatorBound) overflow(prepared, rounded, prepared.accumulatorBound, 'accumulator');
  return Math.floor(rounded * ctx.inverseScale);
}

function linear(p: PreparedStep, x: Float64Array, ctx: KernelContext): Float64Array {
  invariant(p.step.op === 'linear', 'the kernel runs only its own op');
  const { inFeatures: k, outFeatures: n } = p.step;
  const rows = x.length / k;
  const w = p.params;
  const b = p.extra;
  const y = new Float64Array(rows * n);
  for (let r = 0; r < rows; r++) {
    const xOffset = r * k;
    for (let j = 0; j < n; j++) {
      let acc = b[j];
      const wOffset = j * k;
      for (let i = 0; i < k; i++) acc += w[wOffset + i] * x[xOffset + i];
      y[r * n + j] = rescaleChecked(p, acc, ctx);
    }
  }
  return y;
}

function conv(p: PreparedStep, x: Float64Array, ctx: KernelContext): Float64Array {
  invariant(p.step.op === 'conv', 'the kernel runs only its own op');
  const channels = p.step.outChannels;
  const cols = p.params.length / channels;
  const positions = p.map.length / cols;
  const y = new Float64Array(channels * positions);
  for (let c = 0; c < channels; c++) {
    for (let pos = 0; pos < positions; pos++) {
      let acc = p.extra[c];
      for (let k = 0; k < cols; k++) {
        const src = p.map[pos * cols + k];
        if (src >= 0) acc += p.params[c * cols + k] * x[src];
      }
      y[c * positions + pos] = rescaleChecked(p, acc, ctx);
    }
  }
  return y;
}

function affine(p: PreparedStep, x: Float64Array, ctx: KernelContext): Float64Array {
  invariant(p.step.op === 'affine', 'the kernel runs only its own op');
  const { inner } = p.step;
  const period = p.params.length;
  return x.map((v, i) => {
    const c = Math.floor(i / inner) % period;
    return rescaleChecked(p, v * p.params[c] + p.extra[c], ctx);
  });
}

function pools(p: PreparedStep, x: Float64Array, ctx: KernelContext): Float64Array {
  invariant(p.step.op === 'avgPool' || p.step.op === 'maxPool', 'the kernel runs only its own op');
  const taps = p.step.geometry.kernel[0] * p.step.geometry.kernel[1];
  const rows = p.map.length / taps;
  const positions = p.step.geometry.outSpatial[0] * p.step.geometry.outSpatial[1];
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = p.step.op === 'maxPool' ? -Infinity : 0;
    for (let t = 0; t < taps; t++) {
      const src = p.map[r * taps + t];
      if (src < 0) continue;
      acc = p.step.op === 'maxPool' ? Math.max(acc, x[src]) : acc + x[src];
    }
    y[r] = p.step.op === 'maxPool' ? acc : rescaleChecked(p, acc * p.params[r % positions], ctx);
  }
  return y;
}

function pwl(table: PwlTable, x: Float64Array): Float64Array {
  return x.map((v) => evaluatePwl(table, v));
}

/** Softmax per contiguous group: e = PWL_exp(x - max), y = floor(e * 2^F / S), checked exactly. */
function softmax(p: PreparedStep, x: Float64Array, ctx: KernelContext): Float64Array {
  invariant(p.step.op === 'softmax', 'the kernel runs only its own op');
  const { groupSize, table } = p.step;
  const scale = 2 ** ctx.fractionBits;
  const y = new Float64Array(x.length);
  for (let g = 0; g < x.length; g += groupSize) {
    let max = -Infinity;
    for (let i = 0; i < groupSize; i++) max = Math.max(max, x[g + i]);
    const e = new Float64Array(groupSize);
    let sum = 0;
    for (let i = 0; i < groupSize; i++) sum += e[i] = evaluatePwl(table, x[g + i] - max);
    for (let i = 0; i < groupSize; i++) {
      const numerator = e[i] * scale;
      const quotient = Math.floor(numerator / sum);
      if (quotient * sum > numerator || (quotient + 1) * sum <= numerator) overflow(p, numerator, sum, 'inexact softmax division');
      y[g + i] = quotient;
    }
  }
  return y;
}

/** One value per contiguous group (section 3.3); the running sum is checked against the accumulator bound. */
function reduce(p: PreparedStep, x: Float64Array, ctx: KernelContext): Float64Array {
  invariant(p.step.op === 'reduce', 'the kernel runs only its own op');
  const { kind, groupSize } = p.step;
  const y = new Float64Array(x.length / groupSize);
  for (let g = 0; g < y.length; g++) {
    if (kind === 'sum' || kind === 'mean' || kind === 'l1' || kind === 'l2') {
      let total = 0;
      for (let i = 0; i < groupSize; i++) total += kind === 'l2' ? x[g * groupSize + i] ** 2 : Math.abs(x[g * groupSize + i]);
      if (total + (kind === 'mean' ? Math.floor(groupSize / 2) : 0) > p.accumulatorBound) overflow(p, total, p.accumulatorBound, 'accumulator');
    }
    y[g] = reduceGroup(kind, x, g * groupSize, groupSize, ctx.fractionBits);
  }
  return y;
}

/** Section 3.5: the numerator a 2^F is checked against the bound, the quotient by its remainder. */
function divide(p: PreparedStep, a: number, b: number, ctx: KernelContext): number {
  const numerator = a * 2 ** ctx.fractionBits;
  if (Math.abs(numerator) > p.accumulatorBound) overflow(p, numerator, p.accumulatorBound, 'accumulator');
  const q = divFixed(a, b, ctx.fractionBits);
  if (q === undefined) overflow(p, numerator, b, 'inexact division');
  return q;
}

/** y[b, m, n] = rescale(sum_k a[b, m, k] bt[b, n, k], F) (section 3.7). */
function matmul(p: PreparedStep, a: Float64Array, bt: Float64Array, ctx: KernelContext): Float64Array {
  invariant(p.step.op === 'matmul', 'the kernel runs only its own op');
  const { batch, rows, inner, cols } = p.step;
  const y = new Float64Array(batch * rows * cols);
  for (let b = 0; b < batch; b++)
    for (let m = 0; m < rows; m++)
      for (let n = 0; n < cols; n++) {
        const aAt = (b * rows + m) * inner;
        const bAt = (b * cols + n) * inner;
        let acc = 0;
        for (let k = 0; k < inner; k++) acc += a[aAt + k] * bt[bAt + k];
        y[(b * rows + m) * cols + n] = rescaleChecked(p, acc, ctx);
      }
  return y;
}

export function runKernel(p: PreparedStep, inputs: Float64Array[], ctx: KernelContext): Float64Array {
  const x = inputs[0];
  const step = p.step;
  switch (step.op) {
    case 'linear':
      return linear(p, x, ctx);
    case 'conv':
      return conv(p, x, ctx);
    case 'affine':
      return affine(p, x, ctx);
    case 'addConst':
      return x.map((v, i) => v + p.params[Math.floor(i / step.inner) % p.params.length]);
    case 'add':
      return x.map((v, i) => v + inputs[1][i]);
    case 'sub':
      return x.map((v, i) => v - inputs[1][i]);
    case 'relu':
      return x.map((v) => (v > 0 ? v : 0));
    case 'leakyRelu':
      return x.map((v) => (v >= 0 ? v : rescaleChecked(p, v * p.params[0], ctx)));
    case 'clip': {
      const lo = step.min === null ? -Infinity : Number(step.min);
      const hi = step.max === null ? Infinity : Number(step.max);
      return x.map((v) => Math.min(Math.max(v, lo), hi));
    }
    case 'avgPool':
    case 'maxPool':
      return pools(p, x, ctx);
    case 'gather':
      return Float64Array.from(p.map, (src) => (src >= 0 ? x[src] : p.params[0]));
    case 'reshape':
      return x;
    case 'sigmoid':
    case 'tanh':
      return pwl(step.table, x);
    case 'softmax':
      return softmax(p, x, ctx);
    case 'mul':
      return x.map((v, i) => rescaleChecked(p, v * inputs[1][i], ctx));
    case 'abs':
      return x.map(Math.abs);
    case 'sign':
      return x.map((v) => signUnit(v, ctx.fractionBits));
    case 'floor':
      return x.map((v) => floorToUnit(v, ctx.fractionBits));
    case 'ceil':
      return x.map((v) => ceilToUnit(v, ctx.fractionBits));
    case 'round':
      return x.map((v) => roundToUnit(v, ctx.fractionBits));
    case 'compare':
      return x.map((v, i) => compareUnit(step.kind, v, inputs[1][i], ctx.fractionBits));
    case 'compareConst': {
      const c = Number(step.constant);
      return x.map((v) => compareUnit(step.kind, v, c, ctx.fractionBits));
    }
    case 'pwl': {
      const pwl = { table: step.table, belowSlope: Number(step.belowSlope), aboveSlope: Number(step.aboveSlope) };
      return x.map((v) => {
        const outside = v < step.table.loFixed ? pwl.belowSlope : v >= step.table.hiFixed ? pwl.aboveSlope : 0;
        if (Math.abs(v * outside) + ctx.half > p.accumulatorBound) overflow(p, v * outside, p.accumulatorBound, 'accumulator');
        return evaluateUnaryPwl(pwl, v, ctx.fractionBits);
      });
    }
    case 'reduce':
      return reduce(p, x, ctx);
    case 'div':
      return x.map((v, i) => divide(p, v, inputs[1][i], ctx));
    case 'matmul':
      return matmul(p, x, inputs[1], ctx);
    case 'reciprocal': {
      const numerator = Number(step.numerator);
      return x.map((v) => divide(p, numerator, v, ctx));
    }
    case 'sqrt':
      return x.map((v) => {
        if (v * 2 ** ctx.fractionBits > p.accumulatorBound) overflow(p, v * 2 ** ctx.fractionBits, p.accumulatorBound, 'accumulator');
        return sqrtFixed(v, ctx.fractionBits);
      });
  }
}
