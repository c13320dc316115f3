/**
 * LayerNormalization and InstanceNormalization as composed steps (docs/semantics.md section 3.6):
 * mean (reduce), d = x - mean (sub), the L2 norm of d (reduce l2), var + eps = l2^2 / n + epsilon
 * (mul, affine), sqrt, d / sqrt (div), then scale and bias (affine). The PyTorch decomposition (ReduceMean,
 * Sub, Pow 2, Add, Sqrt, Div) imports to the same steps op by op.
 */
import { type ConstTensor, broadcastConst, numel } from './const-tensor';
import type { ActValue, NodeView } from './import-context';
import { broadcastAct } from './elementwise-converters';
import { axesLast } from './reduce-converters';
import { normalizeAxis } from './shape-rules';

/** The mean of x over `axes` (kept as size-1 axes). */
function meanOver(node: NodeView, x: ActValue, axes: number[]): ActValue {
  const grouped = axesLast(node, x, axes).value;
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const groupSize = axes.reduce((n, a) => n * x.shape[a], 1);
  return node.emitHidden({ op: 'reduce', kind: 'mean', groupSize, inputs: [grouped.ref], outShape });
}

/** (x - mean) / sqrt(mean((x - mean)^2) + epsilon) over `axes`. */
function normalized(node: NodeView, x: ActValue, axes: number[], epsilon: number): ActValue {
  const mean = broadcastAct(node, meanOver(node, x, axes), x.shape);
  const centered = node.emitHidden({ op: 'sub', inputs: [x.ref, mean.ref], outShape: x.shape });
  // the L2 norm of the centered group is exact to one unit (isqrt of the exact sum of squares), so
  // the variance l2^2 / n keeps its precision for small values, where squaring each rounded d would not
  const grouped = axesLast(node, centered, axes).value;
  const n = axes.reduce((count, a) => count * x.shape[a], 1);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const norm = node.emitHidden({ op: 'reduce', kind: 'l2', groupSize: n, inputs: [grouped.ref], outShape: keptShape });
  const sumOfSquares = node.emitHidden({ op: 'mul', inputs: [norm.ref, norm.ref], outShape: keptShape });
  const variance = node.emitHidden({ op: 'affine', inputs: [sumOfSquares.ref], outShape: keptShape, inner: 1, scale: Float64Array.of(1 / n), shift: Float64Array.of(epsilon) });
  const deviation = node.emitHidden({ op: 'sqrt', inputs: [variance.ref], outShape: keptShape });
  const spread = broadcastAct(node, deviation, x.shape);
  return node.emitHidden({ op: 'div', inputs: [centered.ref, spread.ref], outShape: x.shape });
}

/**
 * scale * y + bias as one affine step: `inner` consecutive values share a constant (InstanceNorm: the
 * spatial size, one value per channel) or, with inner 1, the constants are expanded to y's shape.
 */
function scaleAndShift(node: NodeView, y: ActValue, scale: ConstTensor | Float64Array, bias: ConstTensor | Float64Array | undefined, inner: number): void {
  const expand = (t: ConstTensor | Float64Array): Float64Array => (t instanceof Float64Array ? t : broadcastConst(t, y.shape));
  const s = expand(scale);
  node.emit({ op: 'affine', inputs: [y.ref], outShape: y.shape, inner, scale: s, shift: bias ? expand(bias) : new Float64Array(s.length) });
}

/** LayerNormalization(x, scale, bias?; axis = -1, epsilon = 1e-5) over axes [axis, rank). */
export function convertLayerNorm(node: NodeView): void {
  const x = node.act(0);
  const rank = x.shape.length;
  const axis = normalizeAxis(node.attrs.int('axis', -1), rank, node.where);
  if (node.attrs.int('stash_type', 1) !== 1) node.refuse('only stash_type 1 (float) is supported');
  const scale = node.constant(1, 'scale');
  const bias = node.optionalConstant(2, 'bias');
  const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
  scaleAndShift(node, normalized(node, x, axes, node.attrs.float('epsilon', 1e-5)), scale, bias, 1);
}

/** InstanceNormalization(x, scale[C], B[C]; epsilon = 1e-5) over the spatial axes of [N, C, ...]. */
export function convertInstanceNorm(node: NodeView): void {
  const x = node.act(0);
  const rank = x.shape.length;
  if (rank < 3) node.refuse(`input of rank ${rank}: an [N, C, spatial...] tensor is needed`);
  const channels = x.shape[1];
  const scale = node.constant(1, 'scale');
  const bias = node.constant(2, 'B');
  if (numel(scale.shape) !== channels || numel(bias.shape) !== channels) node.refuse(`scale and B must hold ${channels} values (one per channel)`);
  const axes = Array.from({ length: rank - 2 }, (_, i) => 2 + i);
  const y = normalized(node, x, axes, node.attrs.float('epsilon', 1e-5));
  scaleAndShift(node, y, Float64Array.from(scale.data), Float64Array.from(bias.data), numel(x.shape.slice(2)));
}
