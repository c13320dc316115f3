/**
 * The quantized model: plain JSON, everything an implementation of the semantics needs
 * (docs/semantics.md). Integers are IntLike: numbers when |v| < 2^53, decimal strings otherwise.
 */
import type { IntLike } from '../fixed-point/fixed-point-arith';
import type { PwlTable, UnaryPwlFunction } from '../fixed-point/pwl-table';
import type { ReduceKind } from '../fixed-point/reduce';
import type { WindowGeometry } from '../geometry/window-geometry';
import type { CompareKind } from '../onnx/imported-model.types';

interface QuantStepBase {
  name: string;
  onnxOp: string;
  /** Tensor indices: 0 is the model input, i + 1 the output of step i. */
  inputs: number[];
  outShape: number[];
}

/** y_j = rescale(sum_k W_jk x_k + b_j, F); W at 2^F row-major [out][in], b at 2^(2F). */
export interface QuantLinearStep extends QuantStepBase {
  op: 'linear';
  inFeatures: number;
  outFeatures: number;
  weights: IntLike[];
  bias: IntLike[];
}

export interface QuantConvStep extends QuantStepBase {
  op: 'conv';
  geometry: WindowGeometry;
  outChannels: number;
  /** [outChannels][inChannels][kh][kw] at 2^F. */
  weights: IntLike[];
  /** At 2^(2F). */
  bias: IntLike[];
}

/** y_i = rescale(x_i * scale[p] + shift[p], F), p = floor(i / inner) mod L; scale at 2^F, shift at 2^(2F). */
export interface QuantAffineStep extends QuantStepBase {
  op: 'affine';
  inner: number;
  scale: IntLike[];
  shift: IntLike[];
}

/** y_i = x_i + values[p] at 2^F. */
export interface QuantAddConstStep extends QuantStepBase {
  op: 'addConst';
  inner: number;
  values: IntLike[];
}

export interface QuantBinaryStep extends QuantStepBase {
  op: 'add' | 'sub';
}

export interface QuantReluStep extends QuantStepBase {
  op: 'relu';
}

/** x >= 0 ? x : rescale(x * alpha, F), alpha at 2^F. */
export interface QuantLeakyReluStep extends QuantStepBase {
  op: 'leakyRelu';
  alpha: IntLike;
}

export interface QuantClipStep extends QuantStepBase {
  op: 'clip';
  min: IntLike | null;
  max: IntLike | null;
}

/** y = rescale(window sum * multipliers[oh * Wo + ow], F), multiplier = q(1 / count, F). */
export interface QuantAvgPoolStep extends QuantStepBase {
  op: 'avgPool';
  geometry: WindowGeometry;
  countIncludePad: boolean;
  multipliers: IntLike[];
}

export interface QuantMaxPoolStep extends QuantStepBase {
  op: 'maxPool';
  geometry: WindowGeometry;
}

/** y_i = indices[i] >= 0 ? x[indices[i]] : padValue. */
export interface QuantGatherStep extends QuantStepBase {
  op: 'gather';
  indices: number[];
  padValue: IntLike;
}

export interface QuantReshapeStep extends QuantStepBase {
  op: 'reshape';
}

export interface QuantPwlStep extends QuantStepBase {
  op: 'sigmoid' | 'tanh';
  table: PwlTable;
}

/** y_i = floor(e_i * 2^F / S) per group, e_i = PWL_exp(x_i - max). */
export interface QuantSoftmaxStep extends QuantStepBase {
  op: 'softmax';
  groupSize: number;
  table: PwlTable;
}

/** y = rescale(a * b, F). */
export interface QuantMulStep extends QuantStepBase {
  op: 'mul';
}

/** abs: |x|; sign: 2^F * sign(x); floor/ceil/round (half to even) to a multiple of 2^F. */
export interface QuantUnaryIntStep extends QuantStepBase {
  op: 'abs' | 'sign' | 'floor' | 'ceil' | 'round';
}

/** y = (a <kind> b) ? 2^F : 0, b the second input. */
export interface QuantCompareStep extends QuantStepBase {
  op: 'compare';
  kind: CompareKind;
}

/** y = (x <kind> constant) ? 2^F : 0, constant at 2^F. */
export interface QuantCompareConstStep extends QuantStepBase {
  op: 'compareConst';
  kind: CompareKind;
  constant: IntLike;
}

/**
 * y = x < lo ? rescale(x * belowSlope, F) + below : x >= hi ? rescale(x * aboveSlope, F) + above
 * : the PWL interpolation of section 4 (slopes at 2^F; 0 gives a constant, 2^F the identity).
 */
export interface QuantUnaryPwlStep extends QuantStepBase {
  op: 'pwl';
  fn: UnaryPwlFunction;
  table: PwlTable;
  belowSlope: IntLike;
  aboveSlope: IntLike;
}

/**
 * One value per contiguous group of groupSize values: sum, mean (floor((s + floor(n/2)) / n)), max,
 * min, l1 (sum of |x|), argmax/argmin (first index, times 2^F) (section 3.3).
 */
export interface QuantReduceStep extends QuantStepBase {
  op: 'reduce';
  kind: ReduceKind;
  groupSize: number;
}

/** y = floor(sqrt(x 2^F)), 0 for x <= 0 (section 3.4). */
export interface QuantSqrtStep extends QuantStepBase {
  op: 'sqrt';
}

/** y = b == 0 ? 0 : floor(a 2^F / b) (section 3.5). */
export interface QuantDivStep extends QuantStepBase {
  op: 'div';
}

/** y = x == 0 ? 0 : floor(numerator 2^F / x), numerator at 2^F (section 3.5). */
export interface QuantReciprocalStep extends QuantStepBase {
  op: 'reciprocal';
  numerator: IntLike;
}

/** y[b, m, n] = rescale(sum_k a[b, m, k] bt[b, n, k], F), inputs a [batch, rows, inner] and bt [batch, cols, inner]. */
export interface QuantMatMulStep extends QuantStepBase {
  op: 'matmul';
  batch: number;
  rows: number;
  inner: number;
  cols: number;
}

export type QuantStep =
  | QuantLinearStep
  | QuantConvStep
  | QuantAffineStep
  | QuantAddConstStep
  | QuantBinaryStep
  | QuantReluStep
  | QuantLeakyReluStep
  | QuantClipStep
  | QuantAvgPoolStep
  | QuantMaxPoolStep
  | QuantGatherStep
  | QuantReshapeStep
  | QuantPwlStep
  | QuantSoftmaxStep
  | QuantMulStep
  | QuantUnaryIntStep
  | QuantCompareStep
  | QuantCompareConstStep
  | QuantUnaryPwlStep
  | QuantReduceStep
  | QuantSqrtStep
  | QuantDivStep
  | QuantReciprocalStep
  | QuantMatMulStep;

export interface StaticBounds {
  /** max |value| of every tensor (index 0 = input), fixed point. */
  tensors: IntLike[];
  /** max |intermediate| of every step (accumulator before rescale incl. the rounding term); 0 if none. */
  accumulators: IntLike[];
  maxAccumulator: IntLike;
  /** The exclusive limit every accumulator is proven below (2^52). */
  limitExclusive: IntLike;
}

export interface QuantizedModel {
  formatVersion: number;
  fractionBits: number;
  inputShape: number[];
  outputShape: number[];
  /** Inputs with |q(x)| > inputBound are refused (fixed point); inputBoundReal = inputBound / 2^F. */
  inputBound: IntLike;
  inputBoundReal: number;
  steps: QuantStep[];
  bounds: StaticBounds;
  source: { inputName: string; outputName: string; onnxOps: string[]; opsetVersion: number };
}
