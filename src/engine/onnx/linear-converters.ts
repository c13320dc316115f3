/** Converters for the accumulating layers: Gemm, MatMul (of a constant or of two activations), Conv, BatchNormalization (folded when possible). */
import { makeWindowGeometry } from '../geometry/window-geometry';
import { broadcastConst, broadcastShapes, numel } from './const-tensor';
import { broadcastAct } from './elementwise-converters';
import type { ActValue, NodeView } from './import-context';
import { checkedElementCount } from './import-limits';
import { transposeIndexMap } from './index-map-converters';
import type { FloatConvStep, FloatLinearStep } from './imported-model.types';

export function convertGemm(node: NodeView): void {
  const x = node.act(0);
  const b = node.constant(1, 'weight B');
  const c = node.optionalConstant(2, 'bias C');
  const alpha = node.attrs.float('alpha', 1);
  const beta = node.attrs.float('beta', 1);
  if (node.attrs.int('transA', 0) !== 0) node.refuse('transA = 1 on an activation is not supported');
  if (x.shape.length !== 2 || b.shape.length !== 2) node.refuse('Gemm needs a rank-2 input and weight');
  const transB = node.attrs.int('transB', 0) === 1;
  const [inFeatures, outFeatures] = transB ? [b.shape[1], b.shape[0]] : b.shape;
  if (x.shape[1] !== inFeatures) node.refuse(`input has ${x.shape[1]} features, weight expects ${inFeatures}`);
  const weights = new Float64Array(outFeatures * inFeatures);
  for (let j = 0; j < outFeatures; j++) {
    for (let k = 0; k < inFeatures; k++) {
      weights[j * inFeatures + k] = alpha * (transB ? b.data[j * inFeatures + k] : b.data[k * outFeatures + j]);
    }
  }
  const bias = c ? broadcastConst(c, [outFeatures]).map((v) => beta * v) : new Float64Array(outFeatures);
  node.emit({ op: 'linear', inputs: [x.ref], outShape: [x.shape[0], outFeatures], inFeatures, outFeatures, weights, bias });
}

/**
 * MatMul of two activations [..., M, K] x [..., K, N] (section 3.7): the batch axes are broadcast
 * (gathers), the right operand is transposed to [..., N, K] (a gather) so that every output value
 * reads two contiguous rows, and one matmul step follows. Rank-1 operands are refused.
 */
function convertMatMulActivations(node: NodeView, a: ActValue, b: ActValue): void {
  if (a.shape.length < 2 || b.shape.length < 2) node.refuse('MatMul of two activations needs operands of rank 2 or more');
  const [rows, inner] = a.shape.slice(-2);
  const [innerB, cols] = b.shape.slice(-2);
  if (inner !== innerB) node.refuse(`inner dimensions ${inner} and ${innerB} differ`);
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), node.where);
  const left = broadcastAct(node, a, [...batchShape, rows, inner]);
  const right = broadcastAct(node, b, [...batchShape, inner, cols]);
  const rank = right.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const { outShape: tShape, indices } = transposeIndexMap(right.shape, perm);
  const transposed = node.emitHidden({ op: 'gather', inputs: [right.ref], outShape: tShape, indices, padValue: 0 });
  const outShape = [...batchShape, rows, cols];
  checkedElementCount(outShape, `output of ${node.where}`);
  node.emit({ op: 'matmul', inputs: [left.ref, transposed.ref], outShape, batch: numel(batchShape), rows, inner, cols });
}

export function convertMatMul(node: NodeView): void {
  const x = node.act(0);
  const right = node.input(1);
  if (right?.kind === 'act') return convertMatMulActivations(node, x, right);
  const b = node.constant(1, 'right operand');
  if (b.shape.length !== 2) node.refuse('only a rank-2 constant right operand is supported');
  const [inFeatures, outFeatures] = b.shape;
  if (x.shape[x.shape.length - 1] !== inFeatures) node.refuse(`input last dim ${x.shape.at(-1)} does not match ${inFeatures}`);
  const weights = new Float64Array(outFeatures * inFeatures);
  for (let j = 0; j < outFeatures; j++) for (let k = 0; k < inFeatures; k++) weights[j * inFeatures + k] = b.data[k * outFeatures + j];
  const outShape = [...x.shape.slice(0, -1), outFeatures];
  node.emit({ op: 'linear', inputs: [x.ref], outShape, inFeatures, outFeatures, weights, bias: new Float64Array(outFeatures) });
}

/** kernel/strides/pads/dilations with auto_pad NOTSET or VALID. */
export function windowAttributes(node: NodeView, kernel: number[]): { strides: number[]; pads: number[]; dilations: number[] } {
  const autoPad = node.attrs.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') node.refuse(`auto_pad ${autoPad} is not supported`);
  if (node.attrs.int('ceil_mode', 0) !== 0) node.refuse('ceil_mode = 1 is not supported');
  const rank = kernel.length;
  return {
    strides: node.attrs.ints('strides') ?? new Array<number>(rank).fill(1),
    pads: autoPad === 'VALID' ? new Array<number>(2 * rank).fill(0) : (node.attrs.ints('pads') ?? new Array<number>(2 * rank).fill(0)),
    dilations: node.attrs.ints('dilations') ?? new Array<number>(rank).fill(1),
  };
}

export function convertConv(node: NodeView): void {
  const x = node.act(0);
  const w = node.constant(1, 'weight');
  const b = node.optionalConstant(2, 'bias');
  if (node.attrs.int('group', 1) !== 1) node.refuse('only group = 1 is supported');
  if (w.shape.length !== 4 || x.shape.length !== 4) node.refuse('only 2-D convolution (NCHW) is supported');
  const [outChannels, inChannels, kh, kw] = w.shape;
  if (x.shape[1] !== inChannels) node.refuse(`input has ${x.shape[1]} channels, weight expects ${inChannels}`);
  const { strides, pads, dilations } = windowAttributes(node, [kh, kw]);
  const geometry = makeWindowGeometry(x.shape, [kh, kw], strides, pads, dilations, node.where);
  const outShape = [1, outChannels, ...geometry.outSpatial];
  const bias = b ? Float64Array.from(b.data) : new Float64Array(outChannels);
  node.emit({ op: 'conv', inputs: [x.ref], outShape, geometry, outChannels, weights: Float64Array.from(w.data), bias });
}

/** Multiply output channel c of a linear/conv step by s_c and then add t_c (BatchNorm folding). */
export function foldChannelAffine(step: FloatLinearStep | FloatConvStep, scale: Float64Array, shift: Float64Array): void {
  const channels = step.op === 'linear' ? step.outFeatures : step.outChannels;
  const perChannel = step.weights.length / channels;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < perChannel; i++) step.weights[c * perChannel + i] *= scale[c];
    step.bias[c] = step.bias[c] * scale[c] + shift[c];
  }
}

export function convertBatchNorm(node: NodeView): void {
  const x = node.act(0);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => node.constant(i, 'BatchNormalization parameter'));
  if (node.attrs.int('training_mode', 0) !== 0) node.refuse('training_mode = 1 is not supported');
  if (x.shape.length < 2) node.refuse('input must have a channel axis');
  const channels = x.shape[1];
  const epsilon = node.attrs.float('epsilon', 1e-5);
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma.data[c] / Math.sqrt(variance.data[c] + epsilon);
    shift[c] = beta.data[c] - mean.data[c] * scale[c];
  }
  const producer = node.ctx.foldableProducer(x.ref);
  const channelIsLast = x.shape.length === 2;
  if (producer && (producer.op === 'conv' || (producer.op === 'linear' && channelIsLast))) {
    foldChannelAffine(producer, scale, shift);
    node.output(x);
    return;
  }
  node.emit({ op: 'affine', inputs: [x.ref], outShape: x.shape, inner: numel(x.shape.slice(2)), scale, shift });
}
