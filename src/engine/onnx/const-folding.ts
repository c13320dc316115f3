/**
 * Constant folding: nodes whose inputs are all constants (and Shape of any tensor, whose shape is
 * static once the batch is fixed to 1) are evaluated at import time.
 */
import { EngineError } from '../engine.errors';
import { type ConstTensor, constBinary, makeConst, numel } from './const-tensor';
import type { GraphValue, NodeView } from './import-context';
import { checkedElementCount } from './import-limits';
import { constantOfShape } from './index-map-converters';
import { resolveReshape, squeezeShape, unsqueezeShape, normalizeAxis } from './shape-rules';

type Folder = (node: NodeView, inputs: ConstTensor[]) => ConstTensor;

function gatherConst(node: NodeView, [data, indices]: ConstTensor[]): ConstTensor {
  const axis = normalizeAxis(node.attrs.int('axis', 0), data.shape.length, node.where);
  const outShape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  checkedElementCount(outShape, `output of ${node.where}`);
  const outer = numel(data.shape.slice(0, axis));
  const inner = numel(data.shape.slice(axis + 1));
  const axisLen = data.shape[axis];
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const rawIndex of indices.data) {
      const index = rawIndex < 0 ? rawIndex + axisLen : rawIndex;
      if (index < 0 || index >= axisLen) node.refuse(`index ${rawIndex} out of range for axis of size ${axisLen}`);
      for (let i = 0; i < inner; i++) out.push(data.data[(o * axisLen + index) * inner + i]);
    }
  }
  return makeConst(outShape, out, data.integer);
}

function concatConst(node: NodeView, inputs: ConstTensor[]): ConstTensor {
  const rank = inputs[0].shape.length;
  const axis = normalizeAxis(node.attrs.int('axis', 0), rank, node.where);
  const shape = inputs[0].shape.slice();
  for (const t of inputs.slice(1)) {
    if (t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== shape[i])) {
      node.refuse(`inputs of shapes [${inputs[0].shape.join(',')}] and [${t.shape.join(',')}] do not concatenate on axis ${axis}`);
    }
  }
  shape[axis] = inputs.reduce((sum, t) => sum + t.shape[axis], 0);
  checkedElementCount(shape, `output of ${node.where}`);
  const outer = numel(inputs[0].shape.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const t of inputs) {
      const block = numel(t.shape.slice(axis));
      for (let i = 0; i < block; i++) out.push(t.data[o * block + i]);
    }
  }
  return makeConst(shape, out, inputs.every((t) => t.integer));
}

function axesOf(node: NodeView, inputs: ConstTensor[]): number[] {
  return node.attrs.ints('axes') ?? (inputs[1] ? Array.from(inputs[1].data) : []);
}

/** Folders that read a second input (a mutated graph may leave it out). */
const TWO_INPUTS = new Set(['Gather', 'Reshape', 'Add', 'Sub', 'Mul', 'Div']);

const CAST_INTEGER_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);

const FOLDERS: Record<string, Folder> = {
  Identity: (_n, [x]) => x,
  ConstantOfShape: (n, [shape]) => constantOfShape(n, shape),
  Gather: gatherConst,
  Concat: concatConst,
  Unsqueeze: (n, inputs) => ({ ...inputs[0], shape: unsqueezeShape(inputs[0].shape, axesOf(n, inputs), n.where) }),
  Squeeze: (n, inputs) => ({ ...inputs[0], shape: squeezeShape(inputs[0].shape, axesOf(n, inputs), n.where) }),
  Reshape: (n, [x, shape]) => ({ ...x, shape: resolveReshape(x.shape, Array.from(shape.data), n.attrs.int('allowzero', 0) === 1, n.where) }),
  Flatten: (n, [x]) => {
    const axis = normalizeAxis(n.attrs.int('axis', 1), x.shape.length + 1, n.where);
    return { ...x, shape: [numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))] };
  },
  Cast: (n, [x]) => {
    const to = n.attrs.int('to', 1);
    const integer = CAST_INTEGER_TYPES.has(to);
    return { shape: x.shape, data: integer ? x.data.map(Math.trunc) : x.data.slice(), integer };
  },
  Add: (n, [a, b]) => constBinary(a, b, (x, y) => x + y, n.where),
  Sub: (n, [a, b]) => constBinary(a, b, (x, y) => x - y, n.where),
  Mul: (n, [a, b]) => constBinary(a, b, (x, y) => x * y, n.where),
  Div: (n, [a, b]) => constBinary(a, b, (x, y) => (a.integer && b.integer ? Math.trunc(x / y) : x / y), n.where),
};

/** The constant a Constant node defines (value tensor or value_float(s)/value_int(s)). */
export function constantNodeValue(node: NodeView): ConstTensor {
  const tensor = node.attrs.tensor('value');
  if (tensor) return tensor;
  if (node.attrs.has('value_float')) return makeConst([], [node.attrs.float('value_float', 0)]);
  if (node.attrs.has('value_int')) return makeConst([], [node.attrs.int('value_int', 0)], true);
  const floats = node.attrs.floats('value_floats');
  if (floats) return makeConst([floats.length], floats);
  const ints = node.attrs.ints('value_ints');
  if (ints) return makeConst([ints.length], ints, true);
  return node.refuse('Constant without a supported value attribute');
}

/**
 * Try to fold the node; returns true when its output was bound to a constant.
 * Shape folds on activations too, since every activation shape is static.
 */
export function tryFoldConstant(node: NodeView): boolean {
  if (node.op === 'Constant') {
    const value = constantNodeValue(node);
    node.ctx.budget.chargeFold(value.data.length, node.where);
    node.output({ kind: 'const', tensor: value });
    return true;
  }
  const inputs = (node.node.input ?? []).map((_, i) => node.input(i));
  if (node.op === 'Shape') {
    const x = inputs[0];
    if (!x) throw new EngineError('MALFORMED_ONNX', `Shape at ${node.where} has no input`);
    const shape = x.kind === 'act' ? x.shape : x.tensor.shape;
    const start = node.attrs.int('start', 0);
    const end = node.attrs.has('end') ? node.attrs.int('end', shape.length) : shape.length;
    const dims = shape.slice(start < 0 ? start + shape.length : start, end < 0 ? end + shape.length : end);
    node.output({ kind: 'const', tensor: makeConst([dims.length], dims, true) });
    return true;
  }
  const folder = FOLDERS[node.op];
  const present = inputs.filter((v): v is GraphValue => v !== undefined);
  if (!folder || present.length === 0 || present.some((v) => v.kind !== 'const')) return false;
  if (TWO_INPUTS.has(node.op) && inputs.length < 2) node.refuse('needs two inputs');
  const tensors = inputs.map((v) => (v?.kind === 'const' ? v.tensor : makeConst([0], [])));
  const folded = folder(node, tensors);
  node.ctx.budget.chargeFold(folded.data.length, node.where);
  node.output({ kind: 'const', tensor: folded });
  return true;
}
