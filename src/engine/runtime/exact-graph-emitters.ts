/**
 * The semantics as float64 onnxruntime nodes. Every tensor is [N, L] (N samples, L values per
 * sample, row-major per-sample layout); values are integers, and every intermediate is bounded
 * by the step's static accumulator bound < 2^52, so every float64 operation below is exact:
 * add/sub/mul of integers below 2^53, multiplication by 2^-s, Floor, comparisons, and Div in
 * softmax (numerator < 2^52).
 */
import { onnx } from 'onnx-proto';
import { intLikeToSafeNumber as num } from '../fixed-point/fixed-point-arith';
import type { PwlTable } from '../fixed-point/pwl-table';
import { convPatchMap, poolWindowMap } from '../geometry/window-geometry';
import type { CompareKind } from '../onnx/imported-model.types';
import type { QuantStep } from '../quantize/quantized-model.types';
import type { OnnxGraphBuilder } from './onnx-graph-builder';

export interface EmitContext {
  b: OnnxGraphBuilder;
  fractionBits: number;
}

const numelOf = (shape: number[]): number => shape.reduce((a, v) => a * v, 1);

/** floor((acc_with_half) * 2^-F): the rounding term is already included in acc. */
function floorScale(ctx: EmitContext, accWithHalf: string): string {
  return ctx.b.node('Floor', [ctx.b.node('Mul', [accWithHalf, ctx.b.scalar(2 ** -ctx.fractionBits)])]);
}

/** Prepend one column holding padValue so that index 0 is the pad and index i + 1 is x[i]. */
function padColumn(ctx: EmitContext, x: string, padValue: number): string {
  return ctx.b.node('Pad', [x, ctx.b.i64([0, 1, 0, 0], [4]), ctx.b.scalar(padValue)]);
}

function shiftedIndices(map: Int32Array): number[] {
  return Array.from(map, (v) => v + 1);
}

/** Expand a (inner, period) pattern to one value per element. */
function expand(values: number[], inner: number, length: number, add = 0): number[] {
  return Array.from({ length }, (_, i) => values[Math.floor(i / inner) % values.length] + add);
}

function emitLinear(ctx: EmitContext, step: Extract<QuantStep, { op: 'linear' }>, x: string, inLength: number): string {
  const { inFeatures: k, outFeatures: n } = step;
  const half = 2 ** (ctx.fractionBits - 1);
  const wt = new Array<number>(k * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < k; i++) wt[i * n + j] = num(step.weights[j * k + i], 'weight');
  const rows = inLength / k;
  const lhs = rows === 1 ? x : ctx.b.node('Reshape', [x, ctx.b.i64([-1, k], [2])]);
  const mm = ctx.b.node('MatMul', [lhs, ctx.b.f64(wt, [k, n])]);
  const acc = ctx.b.node('Add', [mm, ctx.b.f64(step.bias.map((v) => num(v, 'bias') + half), [n])]);
  const y = floorScale(ctx, acc);
  return rows === 1 ? y : ctx.b.node('Reshape', [y, ctx.b.i64([-1, rows * n], [2])]);
}

function emitConv(ctx: EmitContext, step: Extract<QuantStep, { op: 'conv' }>, x: string): string {
  const channels = step.outChannels;
  const cols = step.weights.length / channels;
  const map = convPatchMap(step.geometry);
  const positions = map.length / cols;
  const half = 2 ** (ctx.fractionBits - 1);
  const wt = new Array<number>(cols * channels);
  for (let c = 0; c < channels; c++) for (let k = 0; k < cols; k++) wt[k * channels + c] = num(step.weights[c * cols + k], 'weight');
  const patches = ctx.b.node('Gather', [padColumn(ctx, x, 0), ctx.b.i64(shiftedIndices(map), [positions, cols])], { axis: 1 });
  const mm = ctx.b.node('MatMul', [patches, ctx.b.f64(wt, [cols, channels])]);
  const acc = ctx.b.node('Add', [mm, ctx.b.f64(step.bias.map((v) => num(v, 'bias') + half), [channels])]);
  const y = ctx.b.node('Transpose', [floorScale(ctx, acc)], { perm: [0, 2, 1] });
  return ctx.b.node('Reshape', [y, ctx.b.i64([-1, channels * positions], [2])]);
}

function emitPool(ctx: EmitContext, step: Extract<QuantStep, { op: 'avgPool' | 'maxPool' }>, x: string): string {
  const map = poolWindowMap(step.geometry);
  const taps = step.geometry.kernel[0] * step.geometry.kernel[1];
  const rows = map.length / taps;
  const windows = ctx.b.node('Gather', [padColumn(ctx, x, step.op === 'maxPool' ? -Infinity : 0), ctx.b.i64(shiftedIndices(map), [rows, taps])], {
    axis: 1,
  });
  if (step.op === 'maxPool') return ctx.b.node('ReduceMax', [windows], { axes: [2], keepdims: 0 });
  const sum = ctx.b.node('ReduceSum', [windows, ctx.b.i64([2], [1])], { keepdims: 0 });
  const positions = step.multipliers.length;
  const multipliers = Array.from({ length: rows }, (_, r) => num(step.multipliers[r % positions], 'multiplier'));
  const scaled = ctx.b.node('Mul', [sum, ctx.b.f64(multipliers, [rows])]);
  return floorScale(ctx, ctx.b.node('Add', [scaled, ctx.b.scalar(2 ** (ctx.fractionBits - 1))]));
}

/** PWL with u clamped into the domain first so that no out-of-domain product is ever formed. */
export function emitPwl(ctx: EmitContext, table: PwlTable, x: string): string {
  const { b } = ctx;
  const n = table.values.length - 1;
  const u = b.node('Add', [x, b.scalar(-table.loFixed)]);
  const uc = b.node('Min', [b.node('Max', [u, b.scalar(0)]), b.scalar(table.hiFixed - table.loFixed - 1)]);
  const idx = b.node('Floor', [b.node('Mul', [uc, b.scalar(2 ** -table.shiftBits)])]);
  const t = b.node('Sub', [uc, b.node('Mul', [idx, b.scalar(2 ** table.shiftBits)])]);
  const idxI = b.node('Cast', [idx], { to: onnx.TensorProto.DataType.INT64 });
  const low = b.node('Gather', [b.f64(table.values, [n + 1]), idxI], { axis: 0 });
  const deltas = table.values.slice(1).map((v, i) => v - table.values[i]);
  const delta = b.node('Gather', [b.f64(deltas, [n]), idxI], { axis: 0 });
  const interp = b.node('Floor', [b.node('Mul', [b.node('Mul', [delta, t]), b.scalar(2 ** -table.shiftBits)])]);
  const inside = b.node('Add', [low, interp]);
  const belowOrInside = b.node('Where', [b.node('Less', [x, b.scalar(table.loFixed)]), b.scalar(table.belowValue), inside]);
  return b.node('Where', [b.node('Less', [x, b.scalar(table.hiFixed)]), belowOrInside, b.scalar(table.aboveValue)]);
}

function emitSoftmax(ctx: EmitContext, step: Extract<QuantStep, { op: 'softmax' }>, x: string, length: number): string {
  const { b } = ctx;
  const grouped = b.node('Reshape', [x, b.i64([-1, step.groupSize], [2])]);
  const max = b.node('ReduceMax', [grouped], { axes: [1], keepdims: 1 });
  const e = emitPwl(ctx, step.table, b.node('Sub', [grouped, max]));
  const sum = b.node('ReduceSum', [e, b.i64([1], [1])], { keepdims: 1 });
  const y = b.node('Floor', [b.node('Div', [b.node('Mul', [e, b.scalar(2 ** ctx.fractionBits)]), sum])]);
  return b.node('Reshape', [y, b.i64([-1, length], [2])]);
}

/**
 * b == 0 ? 0 : floor(n / b) for integers |n| < 2^52: Div is correctly rounded and cannot cross an
 * integer (section 3.5), so Floor gives the exact quotient; a zero divisor is replaced by 1 first.
 */
function emitDivide(ctx: EmitContext, n: string, d: string): string {
  const { b } = ctx;
  const isZero = b.node('Equal', [d, b.scalar(0)]);
  const safe = b.node('Where', [isZero, b.scalar(1), d]);
  return b.node('Where', [isZero, b.scalar(0), b.node('Floor', [b.node('Div', [n, safe])])]);
}

/**
 * floor(sqrt(v)) of integers 0 <= v < 2^52: Sqrt is correctly rounded, so its Floor is off by at
 * most one; r * r > v lowers it, (r + 1)^2 <= v raises it (both products < 2^53, exact).
 */
function emitIsqrt(ctx: EmitContext, v: string): string {
  const { b } = ctx;
  const one = b.scalar(1);
  const zero = b.scalar(0);
  const guess = b.node('Floor', [b.node('Sqrt', [v])]);
  const lowered = b.node('Sub', [guess, b.node('Where', [b.node('Greater', [b.node('Mul', [guess, guess]), v]), one, zero])]);
  const next = b.node('Add', [lowered, one]);
  return b.node('Add', [lowered, b.node('Where', [b.node('LessOrEqual', [b.node('Mul', [next, next]), v]), one, zero])]);
}

/**
 * Reduce groups of groupSize consecutive values (section 3.3): every partial sum is within the
 * accumulator bound, mean's Div of an integer below 2^52 by n then Floor is exact (section 3.3),
 * and argmax/argmin take the smallest index whose value equals the group's max/min.
 */
function emitReduce(ctx: EmitContext, step: Extract<QuantStep, { op: 'reduce' }>, x: string, length: number): string {
  const { b } = ctx;
  const n = step.groupSize;
  const grouped = b.node('Reshape', [x, b.i64([-1, length, n], [3])]);
  const sum = (v: string): string => b.node('ReduceSum', [v, b.i64([2], [1])], { keepdims: 0 });
  switch (step.kind) {
    case 'sum':
      return sum(grouped);
    case 'l1':
      return sum(b.node('Abs', [grouped]));
    case 'mean':
      return b.node('Floor', [b.node('Div', [b.node('Add', [sum(grouped), b.scalar(Math.floor(n / 2))]), b.scalar(n)])]);
    case 'max':
      return b.node('ReduceMax', [grouped], { axes: [2], keepdims: 0 });
    case 'min':
      return b.node('ReduceMin', [grouped], { axes: [2], keepdims: 0 });
    case 'l2':
      return emitIsqrt(ctx, sum(b.node('Mul', [grouped, grouped])));
    case 'argmax':
    case 'argmin': {
      const best = b.node(step.kind === 'argmax' ? 'ReduceMax' : 'ReduceMin', [grouped], { axes: [2], keepdims: 1 });
      const iota = b.f64(Array.from({ length: n }, (_, i) => i), [n]);
      const candidates = b.node('Where', [b.node('Equal', [grouped, best]), iota, b.scalar(n)]);
      const first = b.node('ReduceMin', [candidates], { axes: [2], keepdims: 0 });
      return b.node('Mul', [first, b.scalar(2 ** ctx.fractionBits)]);
    }
  }
}

const COMPARE_ONNX_OPS: Record<CompareKind, string> = {
  less: 'Less',
  lessOrEqual: 'LessOrEqual',
  greater: 'Greater',
  greaterOrEqual: 'GreaterOrEqual',
  equal: 'Equal',
};

/** 2^F where `a kind b`, else 0 (a boolean ONNX comparison selected by Where). */
function emitCompare(ctx: EmitContext, kind: CompareKind, a: string, b: string): string {
  const cond = ctx.b.node(COMPARE_ONNX_OPS[kind], [a, b]);
  return ctx.b.node('Where', [cond, ctx.b.scalar(2 ** ctx.fractionBits), ctx.b.scalar(0)]);
}

/** Emit one step; `inputs` are tensor names and `lengths` the per-sample lengths of the inputs. */
export function emitStep(ctx: EmitContext, step: QuantStep, inputs: string[], lengths: number[]): string {
  const { b } = ctx;
  const [x] = inputs;
  const length = numelOf(step.outShape);
  const half = 2 ** (ctx.fractionBits - 1);
  switch (step.op) {
    case 'linear':
      return emitLinear(ctx, step, x, lengths[0]);
    case 'conv':
      return emitConv(ctx, step, x);
    case 'affine': {
      const scale = expand(step.scale.map((v) => num(v, 'scale')), step.inner, length);
      const shift = expand(step.shift.map((v) => num(v, 'shift')), step.inner, length, half);
      return floorScale(ctx, b.node('Add', [b.node('Mul', [x, b.f64(scale, [length])]), b.f64(shift, [length])]));
    }
    case 'addConst':
      return b.node('Add', [x, b.f64(expand(step.values.map((v) => num(v, 'value')), step.inner, length), [length])]);
    case 'add':
      return b.node('Add', [x, inputs[1]]);
    case 'sub':
      return b.node('Sub', [x, inputs[1]]);
    case 'relu':
      return b.node('Max', [x, b.scalar(0)]);
    case 'leakyRelu': {
      const negative = floorScale(ctx, b.node('Add', [b.node('Mul', [x, b.scalar(num(step.alpha, 'alpha'))]), b.scalar(half)]));
      return b.node('Where', [b.node('Less', [x, b.scalar(0)]), negative, x]);
    }
    case 'clip': {
      const low = step.min === null ? x : b.node('Max', [x, b.scalar(num(step.min, 'min'))]);
      return step.max === null ? low : b.node('Min', [low, b.scalar(num(step.max, 'max'))]);
    }
    case 'avgPool':
    case 'maxPool':
      return emitPool(ctx, step, x);
    case 'gather': {
      const indices = step.indices.map((v) => v + 1);
      return b.node('Gather', [padColumn(ctx, x, num(step.padValue, 'pad')), b.i64(indices, [indices.length])], { axis: 1 });
    }
    case 'reshape':
      return x;
    case 'sigmoid':
    case 'tanh':
      return emitPwl(ctx, step.table, x);
    case 'softmax':
      return emitSoftmax(ctx, step, x, length);
    case 'mul':
      return floorScale(ctx, b.node('Add', [b.node('Mul', [x, inputs[1]]), b.scalar(half)]));
    case 'abs':
      return b.node('Abs', [x]);
    case 'sign':
      return b.node('Mul', [b.node('Sign', [x]), b.scalar(2 ** ctx.fractionBits)]);
    case 'floor':
    case 'ceil':
    case 'round': {
      // x * 2^-F is exact; ONNX Round rounds half to even, as the semantics
      const unitOp = step.op === 'floor' ? 'Floor' : step.op === 'ceil' ? 'Ceil' : 'Round';
      return b.node('Mul', [b.node(unitOp, [b.node('Mul', [x, b.scalar(2 ** -ctx.fractionBits)])]), b.scalar(2 ** ctx.fractionBits)]);
    }
    case 'compare':
      return emitCompare(ctx, step.kind, x, inputs[1]);
    case 'compareConst':
      return emitCompare(ctx, step.kind, x, b.scalar(num(step.constant, 'constant')));
    case 'pwl': {
      // outside the domain: rescale(x * slope, F) + value (every product is within the step's bound)
      const side = (slope: number, value: number): string =>
        b.node('Add', [floorScale(ctx, b.node('Add', [b.node('Mul', [x, b.scalar(slope)]), b.scalar(half)])), b.scalar(value)]);
      const below = side(num(step.belowSlope, 'slope'), step.table.belowValue);
      const above = side(num(step.aboveSlope, 'slope'), step.table.aboveValue);
      const inside = emitPwl(ctx, step.table, x);
      const notBelow = b.node('Where', [b.node('Less', [x, b.scalar(step.table.hiFixed)]), inside, above]);
      return b.node('Where', [b.node('Less', [x, b.scalar(step.table.loFixed)]), below, notBelow]);
    }
    case 'reduce':
      return emitReduce(ctx, step, x, length);
    case 'matmul': {
      // [N, batch, rows, inner] x [N, batch, inner, cols]: integer products and sums below the bound
      const a = b.node('Reshape', [x, b.i64([-1, step.batch, step.rows, step.inner], [4])]);
      const bt = b.node('Reshape', [inputs[1], b.i64([-1, step.batch, step.cols, step.inner], [4])]);
      const product = b.node('MatMul', [a, b.node('Transpose', [bt], { perm: [0, 1, 3, 2] })]);
      const y = floorScale(ctx, b.node('Add', [product, b.scalar(half)]));
      return b.node('Reshape', [y, b.i64([-1, length], [2])]);
    }
    case 'div':
      return emitDivide(ctx, b.node('Mul', [x, b.scalar(2 ** ctx.fractionBits)]), inputs[1]);
    case 'reciprocal':
      return emitDivide(ctx, b.scalar(num(step.numerator, 'numerator') * 2 ** ctx.fractionBits), x);
    case 'sqrt':
      return emitIsqrt(ctx, b.node('Mul', [b.node('Max', [x, b.scalar(0)]), b.scalar(2 ** ctx.fractionBits)]));
  }
}
