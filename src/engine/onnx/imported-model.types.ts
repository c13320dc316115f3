/**
 * The normalized float graph produced by the importer: a list of steps in topological order.
 * Tensor 0 is the model input; tensor i + 1 is the output of step i. Shapes are per sample and
 * include the batch dimension fixed to 1 wherever the ONNX graph has it.
 */
import type { UnaryPwlFunction } from '../fixed-point/pwl-table';
import type { ReduceKind } from '../fixed-point/reduce';
import type { WindowGeometry } from '../geometry/window-geometry';

export type TensorRef = number;

interface FloatStepBase {
  /** ONNX node name (or `<op>_<index>` when unnamed) that produced the step. */
  name: string;
  onnxOp: string;
  inputs: TensorRef[];
  outShape: number[];
}

/** y[.., j] = sum_k W[j, k] x[.., k] + b[j] over the last axis. */
export interface FloatLinearStep extends FloatStepBase {
  op: 'linear';
  inFeatures: number;
  outFeatures: number;
  /** Row-major [outFeatures][inFeatures]. */
  weights: Float64Array;
  bias: Float64Array;
}

/** 2-D convolution, NCHW, group 1. */
export interface FloatConvStep extends FloatStepBase {
  op: 'conv';
  geometry: WindowGeometry;
  outChannels: number;
  /** Row-major [outChannels][inChannels][kh][kw]. */
  weights: Float64Array;
  bias: Float64Array;
}

/** y_i = x_i * scale[p(i)] + shift[p(i)] with p(i) = floor(i / inner) mod L. */
export interface FloatAffineStep extends FloatStepBase {
  op: 'affine';
  inner: number;
  scale: Float64Array;
  shift: Float64Array;
}

/** y_i = x_i + values[p(i)], same pattern as affine. */
export interface FloatAddConstStep extends FloatStepBase {
  op: 'addConst';
  inner: number;
  values: Float64Array;
}

/** Exact addition or subtraction of two activation tensors of the same shape. */
export interface FloatBinaryStep extends FloatStepBase {
  op: 'add' | 'sub';
}

export interface FloatReluStep extends FloatStepBase {
  op: 'relu';
}

export interface FloatLeakyReluStep extends FloatStepBase {
  op: 'leakyRelu';
  alpha: number;
}

export interface FloatClipStep extends FloatStepBase {
  op: 'clip';
  min: number | null;
  max: number | null;
}

export interface FloatPoolStep extends FloatStepBase {
  op: 'avgPool' | 'maxPool';
  geometry: WindowGeometry;
  countIncludePad: boolean;
}

/** Layout op: y_i = x[indices[i]], or the pad value where indices[i] = -1 (Pad, Gather). */
export interface FloatGatherStep extends FloatStepBase {
  op: 'gather';
  indices: Int32Array;
  padValue: number;
}

/** Layout only: values unchanged (Reshape, Flatten, Squeeze, Unsqueeze). */
export interface FloatReshapeStep extends FloatStepBase {
  op: 'reshape';
}

export interface FloatPwlStep extends FloatStepBase {
  op: 'sigmoid' | 'tanh';
}

/** Softmax over contiguous groups of groupSize values (the last axis; the importer moves another axis last). */
export interface FloatSoftmaxStep extends FloatStepBase {
  op: 'softmax';
  groupSize: number;
}

/** y = rescale(a * b, F): the product of two activations of the same shape (section 3.2). */
export interface FloatMulStep extends FloatStepBase {
  op: 'mul';
}

/** Exact integer elementwise ops (section 3.2): |x|, sign, floor/ceil/round to a whole real unit. */
export interface FloatUnaryIntStep extends FloatStepBase {
  op: 'abs' | 'sign' | 'floor' | 'ceil' | 'round';
}

export type CompareKind = 'less' | 'lessOrEqual' | 'greater' | 'greaterOrEqual' | 'equal';

/** y = (a <kind> b) ? 2^F : 0 with b a second activation (compare) or a scalar constant (compareConst). */
export interface FloatCompareStep extends FloatStepBase {
  op: 'compare';
  kind: CompareKind;
}

export interface FloatCompareConstStep extends FloatStepBase {
  op: 'compareConst';
  kind: CompareKind;
  constant: number;
}

/** A generic PWL unary function with affine rules outside its table (section 4.1). */
export interface FloatUnaryPwlStep extends FloatStepBase {
  op: 'pwl';
  fn: UnaryPwlFunction;
  /** alpha (elu, selu, celu) and gamma (selu); unused entries 0. */
  alpha: number;
  gamma: number;
}

/** A reduction of contiguous groups of groupSize values (the importer moves the reduced axes last). */
export interface FloatReduceStep extends FloatStepBase {
  op: 'reduce';
  kind: ReduceKind;
  groupSize: number;
}

/** y = floor(sqrt(x 2^F)) (0 for x <= 0), section 3.4. */
export interface FloatSqrtStep extends FloatStepBase {
  op: 'sqrt';
}

/** y = b == 0 ? 0 : floor(a 2^F / b) of two activations (section 3.5). */
export interface FloatDivStep extends FloatStepBase {
  op: 'div';
}

/** y = x == 0 ? 0 : floor(q(numerator) 2^F / x): Reciprocal (numerator 1), Div of a scalar constant by x. */
export interface FloatReciprocalStep extends FloatStepBase {
  op: 'reciprocal';
  numerator: number;
}

/**
 * y[b, m, n] = rescale(sum_k a[b, m, k] bt[b, n, k], F): MatMul of two activations (section 3.7),
 * the right operand already transposed to [batch, N, K] by the importer.
 */
export interface FloatMatMulStep extends FloatStepBase {
  op: 'matmul';
  batch: number;
  rows: number;
  inner: number;
  cols: number;
}

export type FloatStep =
  | FloatLinearStep
  | FloatConvStep
  | FloatAffineStep
  | FloatAddConstStep
  | FloatBinaryStep
  | FloatReluStep
  | FloatLeakyReluStep
  | FloatClipStep
  | FloatPoolStep
  | FloatGatherStep
  | FloatReshapeStep
  | FloatPwlStep
  | FloatSoftmaxStep
  | FloatMulStep
  | FloatUnaryIntStep
  | FloatCompareStep
  | FloatCompareConstStep
  | FloatUnaryPwlStep
  | FloatReduceStep
  | FloatSqrtStep
  | FloatDivStep
  | FloatReciprocalStep
  | FloatMatMulStep;

export interface ImportedModelInfo {
  irVersion: number;
  opsetVersion: number;
  producer: string;
  /** ONNX op types of the original graph, in node order, deduplicated. */
  onnxOps: string[];
  nodeCount: number;
  /** Engine steps after normalization, in order. */
  steps: string[];
  parameterCount: number;
  inputName: string;
  outputName: string;
  /** Per-sample shapes with the batch dimension fixed to 1. */
  inputShape: number[];
  outputShape: number[];
}

export interface ImportedModel {
  info: ImportedModelInfo;
  steps: FloatStep[];
  /** The original ONNX bytes, used to run the float model for the accuracy report. */
  onnxBytes: Uint8Array;
  /** Element type of the ONNX input (for running the float model). */
  inputElementType: 'float32' | 'float64';
  /** Whether the ONNX input's first dimension is a batch dimension (dynamic or 1). */
  batchDimension: 'dynamic' | 'fixed-one';
}
