/**
 * Reductions and Softmax over any axes (docs/semantics.md section 3.3). The reduced axes are moved
 * last by a transpose (a gather step, section 3.1) when they are not already, so that every
 * backend reduces groups of consecutive values; keepdims only changes the output shape.
 */
import type { ReduceKind } from '../fixed-point/reduce';
import type { ActValue, NodeView } from './import-context';
import { transposeIndexMap } from './index-map-converters';
import { normalizeAxis } from './shape-rules';

const REDUCE_KINDS: Record<string, ReduceKind> = {
  ReduceSum: 'sum',
  ReduceMean: 'mean',
  ReduceMax: 'max',
  ReduceMin: 'min',
  ReduceL1: 'l1',
  ReduceSumSquare: 'sum',
  ReduceL2: 'l2',
  ArgMax: 'argmax',
  ArgMin: 'argmin',
};

const isIdentity = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);

/** x with the axes of `moved` last (in their order), as a hidden gather step when that moves anything. */
export function axesLast(node: NodeView, x: ActValue, moved: readonly number[]): { value: ActValue; perm: number[] } {
  const perm = [...x.shape.keys()].filter((d) => !moved.includes(d)).concat(moved);
  if (isIdentity(perm)) return { value: x, perm };
  const { outShape, indices } = transposeIndexMap(x.shape, perm);
  // moving axes of size 1 only does not move any value: a reshape
  if (indices.every((v, i) => v === i)) return { value: node.emitHidden({ op: 'reshape', inputs: [x.ref], outShape }), perm };
  return { value: node.emitHidden({ op: 'gather', inputs: [x.ref], outShape, indices, padValue: 0 }), perm };
}

/** The reduced axes of a Reduce* node: the attribute before the opset that made them an input. */
function reducedAxes(node: NodeView, rank: number): number[] {
  const fromInput = node.ctx.opset >= (node.op === 'ReduceSum' ? 13 : 18);
  const axes = fromInput ? Array.from(node.optionalConstant(1, 'axes')?.data ?? []) : node.attrs.ints('axes');
  if (!axes || axes.length === 0) {
    // no axes: all of them, or none at all with noop_with_empty_axes
    return node.attrs.int('noop_with_empty_axes', 0) === 1 ? [] : [...Array(rank).keys()];
  }
  const normalized = axes.map((a) => normalizeAxis(a, rank, node.where));
  if (new Set(normalized).size !== normalized.length) node.refuse(`axes [${axes.join(',')}] repeat an axis`);
  return normalized.sort((a, b) => a - b);
}

/** ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceL1, ReduceL2, ReduceSumSquare, ArgMax, ArgMin. */
export function convertReduce(node: NodeView): void {
  const x = node.act(0);
  const rank = x.shape.length;
  const kind = REDUCE_KINDS[node.op];
  const isArg = kind === 'argmax' || kind === 'argmin';
  if (isArg && node.attrs.int('select_last_index', 0) !== 0) node.refuse('select_last_index 1 is not supported (the first index is taken)');
  const axes = isArg ? [normalizeAxis(node.attrs.int('axis', 0), rank, node.where)] : reducedAxes(node, rank);
  if (axes.length === 0) {
    // noop_with_empty_axes: the input itself (ReduceSumSquare still squares, ReduceL1/L2 take |x|)
    if (node.op === 'ReduceSumSquare') node.output(node.emitHidden({ op: 'mul', inputs: [x.ref, x.ref], outShape: x.shape }));
    else if (kind === 'l1' || kind === 'l2') node.output(node.emitHidden({ op: 'abs', inputs: [x.ref], outShape: x.shape }));
    else node.output(x);
    return;
  }
  const keepDims = node.attrs.int('keepdims', 1) === 1;
  const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  const groupSize = axes.reduce((n, a) => n * x.shape[a], 1);
  const source = node.op === 'ReduceSumSquare' ? node.emitHidden({ op: 'mul', inputs: [x.ref, x.ref], outShape: x.shape }) : x;
  const grouped = axesLast(node, source, axes).value;
  node.emit({ op: 'reduce', kind, groupSize, inputs: [grouped.ref], outShape });
}

/**
 * Softmax over one axis (opset >= 13) or over the flattened trailing axes (opset < 13): another
 * axis than the last is moved last, the softmax of section 5 runs, and the inverse transpose
 * restores the layout.
 */
export function convertSoftmax(node: NodeView): void {
  const x = node.act(0);
  const rank = x.shape.length;
  const axis = normalizeAxis(node.attrs.int('axis', node.ctx.opset < 13 ? 1 : -1), rank, node.where);
  if (node.ctx.opset < 13 || axis === rank - 1) {
    const groupSize = x.shape.slice(node.ctx.opset < 13 ? axis : rank - 1).reduce((n, d) => n * d, 1);
    node.emit({ op: 'softmax', inputs: [x.ref], outShape: x.shape, groupSize });
    return;
  }
  const { value, perm } = axesLast(node, x, [axis]);
  const soft = node.emitHidden({ op: 'softmax', inputs: [value.ref], outShape: value.shape, groupSize: x.shape[axis] });
  const inverse = perm.map((_, d) => perm.indexOf(d));
  const { outShape, indices } = transposeIndexMap(soft.shape, inverse);
  node.emit({ op: 'gather', inputs: [soft.ref], outShape, indices, padValue: 0 });
}
