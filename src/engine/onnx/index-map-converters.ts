/**
 * Layout ops on activations as static index maps (docs/semantics.md section 3, "gather"):
 * Transpose, Slice, Split, Expand, Tile, Concat (activations derived from one tensor, and
 * constants), Trilu. Each becomes a gather step `y_i = idx_i >= 0 ? x[idx_i] : pad`; constants
 * mixed into a Concat add an addConst step. No new step kind: every backend already has both.
 */
import { EngineError } from '../engine.errors';
import { broadcastIndexMap, broadcastShapes, type ConstTensor, numel, stridesOf } from './const-tensor';
import type { ActValue, GraphValue, NodeView } from './import-context';
import { checkedElementCount } from './import-limits';
import { normalizeAxis } from './shape-rules';

/** For each flat index of outShape, source(coordinates) (a flat index into the input, or -1). */
export function indexMapOver(outShape: readonly number[], source: (coord: number[]) => number): Int32Array {
  const total = numel(outShape);
  const map = new Int32Array(total);
  const coord = new Array<number>(outShape.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    map[flat] = source(coord);
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++coord[d] < outShape[d]) break;
      coord[d] = 0;
    }
  }
  return map;
}

function flatIndex(coord: readonly number[], strides: readonly number[]): number {
  let flat = 0;
  for (let d = 0; d < coord.length; d++) flat += coord[d] * strides[d];
  return flat;
}

function emitGather(node: NodeView, x: ActValue, outShape: number[], indices: Int32Array, padValue = 0): void {
  checkedElementCount(outShape, `output of ${node.where}`);
  node.emit({ op: 'gather', inputs: [x.ref], outShape, indices, padValue });
}

export function convertTranspose(node: NodeView): void {
  const x = node.act(0);
  const rank = x.shape.length;
  const perm = node.attrs.ints('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank || new Set(perm.map((p) => normalizeAxis(p, rank, node.where))).size !== rank) {
    node.refuse(`perm [${perm.join(',')}] is not a permutation of ${rank} axes`);
  }
  const { outShape, indices } = transposeIndexMap(x.shape, perm);
  emitGather(node, x, outShape, indices);
}

/** The index map of a transpose of `shape` by `perm` (axis d of the output is axis perm[d] of the input). */
export function transposeIndexMap(shape: readonly number[], perm: readonly number[]): { outShape: number[]; indices: Int32Array } {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf([...shape]);
  const strides = perm.map((p) => inStrides[p]);
  return { outShape, indices: indexMapOver(outShape, (c) => flatIndex(c, strides)) };
}

function constInts(node: NodeView, input: number, what: string): number[] | undefined {
  const tensor = node.optionalConstant(input, what);
  return tensor ? Array.from(tensor.data) : undefined;
}

/** ONNX Slice (attributes before opset 10, constant inputs from 10), with negative steps and clamping. */
export function convertSlice(node: NodeView): void {
  const x = node.act(0);
  const rank = x.shape.length;
  const fromInputs = node.ctx.opset >= 10;
  const starts = fromInputs ? constInts(node, 1, 'starts') : node.attrs.ints('starts');
  const ends = fromInputs ? constInts(node, 2, 'ends') : node.attrs.ints('ends');
  if (!starts || !ends || starts.length !== ends.length) return node.refuse('needs starts and ends of the same length');
  const axes = (fromInputs ? constInts(node, 3, 'axes') : node.attrs.ints('axes')) ?? starts.map((_, i) => i);
  const steps = (fromInputs ? constInts(node, 4, 'steps') : undefined) ?? starts.map(() => 1);
  const first = x.shape.map(() => 0);
  const step = x.shape.map(() => 1);
  const outShape = x.shape.slice();
  axes.forEach((rawAxis, i) => {
    const axis = normalizeAxis(rawAxis, rank, node.where);
    const dim = x.shape[axis];
    const s = steps[i];
    if (!Number.isInteger(s) || s === 0) node.refuse(`step ${s} on axis ${axis} is not a non-zero integer`);
    const clampStart = (v: number): number => (s > 0 ? Math.min(Math.max(v, 0), dim) : Math.min(Math.max(v, 0), dim - 1));
    const clampEnd = (v: number): number => (s > 0 ? Math.min(Math.max(v, 0), dim) : Math.min(Math.max(v, -1), dim - 1));
    const rawStart = starts[i] < 0 ? starts[i] + dim : starts[i];
    const rawEnd = ends[i] < 0 ? ends[i] + dim : ends[i];
    const start = clampStart(rawStart);
    const end = clampEnd(rawEnd);
    first[axis] = start;
    step[axis] = s;
    outShape[axis] = Math.max(0, Math.ceil((end - start) / s));
  });
  if (outShape.some((d) => d === 0)) node.refuse('the slice is empty');
  const inStrides = stridesOf(x.shape);
  emitGather(node, x, outShape, indexMapOver(outShape, (c) => c.reduce((sum, v, d) => sum + (first[d] + v * step[d]) * inStrides[d], 0)));
}

/** Split: every output that something reads becomes its own gather step. */
export function convertSplit(node: NodeView): void {
  const x = node.act(0);
  const rank = x.shape.length;
  const axis = normalizeAxis(node.attrs.int('axis', 0), rank, node.where);
  const outputs = node.node.output ?? [];
  const dim = x.shape[axis];
  let sizes = node.ctx.opset >= 13 ? constInts(node, 1, 'split') : node.attrs.ints('split');
  if (!sizes) {
    const parts = node.attrs.int('num_outputs', outputs.length);
    const chunk = Math.ceil(dim / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  if (sizes.length !== outputs.length || sizes.reduce((a, b) => a + b, 0) !== dim) {
    node.refuse(`split sizes [${sizes.join(',')}] do not cover axis ${axis} of size ${dim} in ${outputs.length} outputs`);
  }
  const inStrides = stridesOf(x.shape);
  const used = node.usedOutputs();
  if (used.length === 0) node.refuse('no output of the Split is read');
  for (const { index } of used) {
    const offset = sizes.slice(0, index).reduce((a, b) => a + b, 0);
    const outShape = x.shape.slice();
    outShape[axis] = sizes[index];
    if (outShape[axis] === 0) node.refuse(`output ${index} is empty`);
    checkedElementCount(outShape, `output ${index} of ${node.where}`);
    const indices = indexMapOver(outShape, (c) => c.reduce((sum, v, d) => sum + (d === axis ? v + offset : v) * inStrides[d], 0));
    node.emitOutput(index, { op: 'gather', inputs: [x.ref], outShape, indices, padValue: 0 });
  }
}

export function convertExpand(node: NodeView): void {
  const x = node.act(0);
  const shape = Array.from(node.constant(1, 'shape').data);
  const outShape = broadcastShapes(x.shape, shape, node.where);
  emitGather(node, x, outShape, broadcastIndexMap(x.shape, outShape));
}

export function convertTile(node: NodeView): void {
  const x = node.act(0);
  const repeats = Array.from(node.constant(1, 'repeats').data);
  if (repeats.length !== x.shape.length || repeats.some((r) => !Number.isInteger(r) || r < 1)) {
    node.refuse(`repeats [${repeats.join(',')}] must be one positive integer per axis of [${x.shape.join(',')}]`);
  }
  const outShape = x.shape.map((d, i) => d * repeats[i]);
  const inStrides = stridesOf(x.shape);
  emitGather(node, x, outShape, indexMapOver(outShape, (c) => c.reduce((sum, v, d) => sum + (v % x.shape[d]) * inStrides[d], 0)));
}

/** An activation as (root tensor, index map into it), looking through pad-free gathers and reshapes. */
interface Derived {
  ref: number;
  map: Int32Array;
}

function rootOf(node: NodeView, x: ActValue): Derived {
  let ref = x.ref;
  let map = Int32Array.from({ length: numel(x.shape) }, (_, i) => i);
  for (;;) {
    const producer = node.ctx.producer(ref);
    if (producer?.op === 'reshape') {
      ref = producer.inputs[0];
    } else if (producer?.op === 'gather' && producer.indices.every((v) => v >= 0)) {
      const inner = producer.indices;
      map = map.map((i) => inner[i]);
      ref = producer.inputs[0];
    } else {
      return { ref, map };
    }
  }
}

/**
 * Concat of activations and constants: one gather over the activations' common source tensor
 * (-1 where a constant goes), then an addConst step with the constants (0 elsewhere) unless the
 * constants are all equal, in which case they are the gather's pad value.
 */
export function convertConcat(node: NodeView): void {
  const values = (node.node.input ?? []).map((_, i) => node.input(i)).filter((v): v is GraphValue => v !== undefined);
  const shapes = values.map((v) => (v.kind === 'act' ? v.shape : v.tensor.shape));
  const rank = shapes[0].length;
  const axis = normalizeAxis(node.attrs.int('axis', 0), rank, node.where);
  shapes.forEach((s) => {
    if (s.length !== rank || s.some((d, i) => i !== axis && d !== shapes[0][i])) {
      node.refuse(`inputs of shapes [${shapes[0].join(',')}] and [${s.join(',')}] do not concatenate on axis ${axis}`);
    }
  });
  const outShape = shapes[0].slice();
  outShape[axis] = shapes.reduce((sum, s) => sum + s[axis], 0);
  checkedElementCount(outShape, `output of ${node.where}`);
  const acts = values.filter((v): v is ActValue => v.kind === 'act');
  const sameRef = acts.every((a) => a.ref === acts[0].ref);
  const derived = values.map((v) => (v.kind === 'act' ? (sameRef ? { ref: v.ref, map: Int32Array.from({ length: numel(v.shape) }, (_, i) => i) } : rootOf(node, v)) : undefined));
  const roots = new Set(derived.filter((d): d is Derived => d !== undefined).map((d) => d.ref));
  if (roots.size !== 1) {
    node.refuse('Concat of activations that are not all derived (by layout ops) from one tensor is not supported');
  }
  const root = [...roots][0];
  const rootShape = root === acts[0].ref ? acts[0].shape : root === 0 ? [] : node.ctx.producer(root)!.outShape;
  const indices = new Int32Array(numel(outShape));
  const constants = new Float64Array(indices.length);
  const outer = numel(outShape.slice(0, axis));
  const inner = numel(outShape.slice(axis + 1));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    values.forEach((v, i) => {
      const block = shapes[i][axis] * inner;
      for (let j = 0; j < block; j++, k++) {
        const at = o * block + j;
        if (v.kind === 'act') indices[k] = derived[i]!.map[at];
        else {
          indices[k] = -1;
          constants[k] = v.tensor.data[at];
        }
      }
    });
  }
  const padPositions = constants.filter((_, i) => indices[i] < 0);
  const uniform = padPositions.every((c) => c === padPositions[0]);
  const source: ActValue = { kind: 'act', ref: root, shape: rootShape };
  if (uniform) return emitGather(node, source, outShape, indices, padPositions[0] ?? 0);
  const gathered = node.emitHidden({ op: 'gather', inputs: [root], outShape, indices, padValue: 0 });
  node.emit({ op: 'addConst', inputs: [gathered.ref], outShape, inner: 1, values: constants });
}

/** Trilu: the kept triangle of the last two axes; the rest is the pad value 0. */
export function convertTrilu(node: NodeView): void {
  const x = node.act(0);
  const rank = x.shape.length;
  if (rank < 2) node.refuse('needs at least two axes');
  const kTensor = node.optionalConstant(1, 'k');
  const k = kTensor ? kTensor.data[0] : 0;
  const upper = node.attrs.int('upper', 1) === 1;
  const inStrides = stridesOf(x.shape);
  const indices = indexMapOver(x.shape, (c) => {
    const diagonal = c[rank - 1] - c[rank - 2];
    const kept = upper ? diagonal >= k : diagonal <= k;
    return kept ? flatIndex(c, inStrides) : -1;
  });
  emitGather(node, x, x.shape.slice(), indices, 0);
}

/** ConstantOfShape on a constant shape (folded). */
export function constantOfShape(node: NodeView, shape: ConstTensor): ConstTensor {
  const dims = Array.from(shape.data);
  const count = checkedElementCount(dims, `output of ${node.where}`);
  const value = node.attrs.tensor('value');
  const fill = value ? value.data[0] : 0;
  if (value && value.data.length !== 1) throw new EngineError('MALFORMED_ONNX', `ConstantOfShape at ${node.where} has a value with ${value.data.length} elements`);
  return { shape: dims, data: new Float64Array(count).fill(fill), integer: value?.integer ?? false };
}
