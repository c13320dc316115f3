/** Add, Sub, Mul, Div: with a constant they become AddConst/Affine (a constant divided by x: reciprocal); between activations add/sub/mul/div (elementwise-converters.ts). */
import { type ConstTensor, broadcastConst, broadcastShapes, numel } from './const-tensor';
import type { ActValue, NodeView } from './import-context';
import { convertTwoActivations } from './elementwise-converters';

/** A constant broadcast over an activation as y_i uses values[floor(i / inner) mod values.length]. */
export interface BroadcastPattern {
  inner: number;
  values: Float64Array;
}

/** Compress a constant broadcast to `shape` into (inner, values); falls back to the full expansion. */
export function broadcastPattern(tensor: ConstTensor, shape: number[], node: NodeView): BroadcastPattern {
  const outShape = broadcastShapes(shape, tensor.shape, node.where);
  if (outShape.length !== shape.length || outShape.some((d, i) => d !== shape[i])) {
    node.refuse(`constant of shape [${tensor.shape.join(',')}] would change the activation shape [${shape.join(',')}]`);
  }
  const aligned = [...new Array<number>(shape.length - tensor.shape.length).fill(1), ...tensor.shape];
  const nonUnit = aligned.map((d, i) => (d !== 1 ? i : -1)).filter((i) => i >= 0);
  if (nonUnit.length === 0) return { inner: 1, values: Float64Array.of(tensor.data[0]) };
  if (nonUnit.length === 1) {
    return { inner: numel(shape.slice(nonUnit[0] + 1)), values: Float64Array.from(tensor.data) };
  }
  return { inner: 1, values: broadcastConst(tensor, shape) };
}

function tryFoldBias(node: NodeView, x: ActValue, pattern: BroadcastPattern): boolean {
  const producer = node.ctx.foldableProducer(x.ref);
  if (!producer) return false;
  const channels = producer.op === 'linear' ? producer.outFeatures : producer.op === 'conv' ? producer.outChannels : 0;
  const perChannel = producer.op === 'conv' ? numel(producer.outShape.slice(2)) : 1;
  const fits = pattern.values.length === 1 || (pattern.values.length === channels && pattern.inner === perChannel);
  if (!fits || (producer.op !== 'linear' && producer.op !== 'conv')) return false;
  for (let c = 0; c < channels; c++) producer.bias[c] += pattern.values[pattern.values.length === 1 ? 0 : c];
  node.output(x);
  return true;
}

function emitAddConst(node: NodeView, x: ActValue, pattern: BroadcastPattern): void {
  if (tryFoldBias(node, x, pattern)) return;
  node.emit({ op: 'addConst', inputs: [x.ref], outShape: x.shape, inner: pattern.inner, values: pattern.values });
}

function emitAffine(node: NodeView, x: ActValue, scale: BroadcastPattern, shift: Float64Array): void {
  node.emit({ op: 'affine', inputs: [x.ref], outShape: x.shape, inner: scale.inner, scale: scale.values, shift });
}

/** c / x for a scalar constant c (section 3.5); Reciprocal is 1 / x. */
function convertReciprocal(node: NodeView, x: ActValue, c: ConstTensor): void {
  if (numel(c.shape) !== 1) return node.refuse(`division of a constant of shape [${c.shape.join(',')}] by an activation is not supported (only a scalar)`);
  const outShape = broadcastShapes(x.shape, c.shape, node.where);
  node.emit({ op: 'reciprocal', inputs: [x.ref], outShape, numerator: c.data[0] });
}

export function convertReciprocalOp(node: NodeView): void {
  const x = node.act(0);
  node.emit({ op: 'reciprocal', inputs: [x.ref], outShape: x.shape, numerator: 1 });
}

export function convertArithmetic(node: NodeView): void {
  const left = node.input(0);
  const right = node.input(1);
  if (!left || !right) return node.refuse('needs two inputs');
  if (left.kind === 'act' && right.kind === 'act') return convertTwoActivations(node, left, right);
  const x = left.kind === 'act' ? left : (right as ActValue);
  const c = left.kind === 'const' ? left.tensor : (right as { tensor: ConstTensor }).tensor;
  const constFirst = left.kind === 'const';
  const pattern = broadcastPattern(c, x.shape, node);
  const zeros = new Float64Array(pattern.values.length);
  switch (node.op) {
    case 'Add':
      return emitAddConst(node, x, pattern);
    case 'Sub':
      if (!constFirst) return emitAddConst(node, x, { ...pattern, values: pattern.values.map((v) => -v) });
      return emitAffine(node, x, { ...pattern, values: pattern.values.map(() => -1) }, pattern.values);
    case 'Mul':
      return emitAffine(node, x, pattern, zeros);
    case 'Div':
      if (constFirst) return convertReciprocal(node, x, c);
      if (pattern.values.some((v) => v === 0)) return node.refuse('division by a zero constant');
      return emitAffine(node, x, { ...pattern, values: pattern.values.map((v) => 1 / v) }, zeros);
    default:
      return node.refuse('not an arithmetic op');
  }
}
