/**
 * Exact integer elementwise ops (docs/semantics.md section 3.2): Mul of two activations, Abs, Neg,
 * Sign, Floor, Ceil, Round, comparisons, Not, And, Where, HardSigmoid, HardSwish and Pow with a
 * small positive integer exponent. Booleans are 0 and 2^F (real 0 and 1).
 */
import { broadcastIndexMap, broadcastShapes } from './const-tensor';
import type { ActValue, NodeView } from './import-context';
import type { CompareKind } from './imported-model.types';
import { broadcastPattern } from './arithmetic-converters';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** x broadcast to `shape` (a gather step when the shapes differ). */
export function broadcastAct(node: NodeView, x: ActValue, shape: number[]): ActValue {
  if (sameShape(x.shape, shape)) return x;
  return node.emitHidden({ op: 'gather', inputs: [x.ref], outShape: shape, indices: broadcastIndexMap(x.shape, shape), padValue: 0 });
}

/** Both activations broadcast to their common shape (ONNX multidirectional broadcasting). */
export function broadcastPair(node: NodeView, a: ActValue, b: ActValue): [ActValue, ActValue] {
  const shape = broadcastShapes(a.shape, b.shape, node.where);
  return [broadcastAct(node, a, shape), broadcastAct(node, b, shape)];
}

/** Add, Sub, Mul or Div (section 3.5) of two activations, broadcast first. */
export function convertTwoActivations(node: NodeView, a: ActValue, b: ActValue): void {
  if (node.op !== 'Add' && node.op !== 'Sub' && node.op !== 'Mul' && node.op !== 'Div') {
    node.refuse(`${node.op} of two activation tensors is not supported`);
  }
  const [x, y] = broadcastPair(node, a, b);
  const op = node.op === 'Add' ? 'add' : node.op === 'Sub' ? 'sub' : node.op === 'Mul' ? 'mul' : 'div';
  node.emit({ op, inputs: [x.ref, y.ref], outShape: x.shape });
}

const UNARY_INT_OPS: Record<string, 'abs' | 'sign' | 'floor' | 'ceil' | 'round'> = { Abs: 'abs', Sign: 'sign', Floor: 'floor', Ceil: 'ceil', Round: 'round' };

export function convertUnaryInt(node: NodeView): void {
  const x = node.act(0);
  node.emit({ op: UNARY_INT_OPS[node.op], inputs: [x.ref], outShape: x.shape });
}

/** Neg: affine with scale -1 (exact: rescale(-x * 2^F, F) = -x). */
export function convertNeg(node: NodeView): void {
  const x = node.act(0);
  node.emit({ op: 'affine', inputs: [x.ref], outShape: x.shape, inner: 1, scale: Float64Array.of(-1), shift: Float64Array.of(0) });
}

const COMPARE_KINDS: Record<string, CompareKind> = {
  Less: 'less',
  LessOrEqual: 'lessOrEqual',
  Greater: 'greater',
  GreaterOrEqual: 'greaterOrEqual',
  Equal: 'equal',
};
/** The kind that holds for (b, a) when `kind` holds for (a, b). */
const SWAPPED: Record<CompareKind, CompareKind> = { less: 'greater', lessOrEqual: 'greaterOrEqual', greater: 'less', greaterOrEqual: 'lessOrEqual', equal: 'equal' };

export function convertCompare(node: NodeView): void {
  const left = node.input(0);
  const right = node.input(1);
  if (!left || !right) return node.refuse('needs two inputs');
  const kind = COMPARE_KINDS[node.op];
  if (left.kind === 'act' && right.kind === 'act') {
    const [a, b] = broadcastPair(node, left, right);
    node.emit({ op: 'compare', kind, inputs: [a.ref, b.ref], outShape: a.shape });
    return;
  }
  const x = left.kind === 'act' ? left : (right as ActValue);
  const c = left.kind === 'const' ? left.tensor : right.kind === 'const' ? right.tensor : undefined;
  if (!c || c.data.length !== 1) return node.refuse('comparison with a non-scalar constant is not supported');
  const shape = broadcastShapes(x.shape, c.shape, node.where);
  const source = broadcastAct(node, x, shape);
  node.emit({ op: 'compareConst', kind: left.kind === 'act' ? kind : SWAPPED[kind], constant: c.data[0], inputs: [source.ref], outShape: shape });
}

/** Whether tensor `ref` holds only 0 and 2^F (a comparison, or And / layout of such). */
function isBoolean(node: NodeView, ref: number): boolean {
  const step = node.ctx.producer(ref);
  if (!step) return false;
  if (step.op === 'compare' || step.op === 'compareConst') return true;
  if (step.op === 'mul') return step.inputs.every((r) => isBoolean(node, r));
  if (step.op === 'gather' || step.op === 'reshape') return isBoolean(node, step.inputs[0]) && (step.op === 'reshape' || step.padValue === 0);
  return false;
}

function booleanAct(node: NodeView, i: number): ActValue {
  const x = node.act(i);
  if (!isBoolean(node, x.ref)) node.refuse(`input ${i} must be a comparison result (booleans are 0 and 2^F)`);
  return x;
}

/** Not(x) = (x == 0) ? 2^F : 0. */
export function convertNot(node: NodeView): void {
  const x = booleanAct(node, 0);
  node.emit({ op: 'compareConst', kind: 'equal', constant: 0, inputs: [x.ref], outShape: x.shape });
}

/** And(a, b) of booleans = rescale(a * b, F). */
export function convertAnd(node: NodeView): void {
  const [a, b] = broadcastPair(node, booleanAct(node, 0), booleanAct(node, 1));
  node.emit({ op: 'mul', inputs: [a.ref, b.ref], outShape: a.shape });
}

/**
 * Where(c, a, b) with a boolean c: y = b + rescale(c * (a - b), F), exact since c is 0 or 2^F:
 * a difference step, a mul and an add (constants become addConst / affine steps).
 */
export function convertWhere(node: NodeView): void {
  const c0 = booleanAct(node, 0);
  const a = node.input(1);
  const b = node.input(2);
  if (!a || !b) return node.refuse('needs three inputs');
  const shapeOf = (v: typeof a): number[] => (v.kind === 'act' ? v.shape : v.tensor.shape);
  const shape = broadcastShapes(broadcastShapes(c0.shape, shapeOf(a), node.where), shapeOf(b), node.where);
  const c = broadcastAct(node, c0, shape);
  const hidden = node.emitHidden.bind(node);
  let difference: ActValue;
  if (a.kind === 'act' && b.kind === 'act') {
    const [x, y] = [broadcastAct(node, a, shape), broadcastAct(node, b, shape)];
    difference = hidden({ op: 'sub', inputs: [x.ref, y.ref], outShape: shape });
  } else if (a.kind === 'act' && b.kind === 'const') {
    const pattern = broadcastPattern(b.tensor, shape, node);
    difference = hidden({ op: 'addConst', inputs: [broadcastAct(node, a, shape).ref], outShape: shape, inner: pattern.inner, values: pattern.values.map((v) => -v) });
  } else if (a.kind === 'const' && b.kind === 'act') {
    const pattern = broadcastPattern(a.tensor, shape, node);
    const scale = pattern.values.map(() => -1);
    difference = hidden({ op: 'affine', inputs: [broadcastAct(node, b, shape).ref], outShape: shape, inner: pattern.inner, scale, shift: pattern.values });
  } else {
    return node.refuse('Where of two constants is not supported');
  }
  const selected = hidden({ op: 'mul', inputs: [c.ref, difference.ref], outShape: shape });
  if (b.kind === 'act') {
    node.emit({ op: 'add', inputs: [selected.ref, broadcastAct(node, b, shape).ref], outShape: shape });
  } else {
    const pattern = broadcastPattern(b.tensor, shape, node);
    node.emit({ op: 'addConst', inputs: [selected.ref], outShape: shape, inner: pattern.inner, values: pattern.values });
  }
}

/** HardSigmoid: clip(affine(x, alpha, beta), 0, 1); HardSwish: x * HardSigmoid(x) with 1/6, 1/2. */
export function convertHardSigmoid(node: NodeView): void {
  const x = node.act(0);
  const swish = node.op === 'HardSwish';
  const alpha = swish ? 1 / 6 : node.attrs.float('alpha', 0.2);
  const beta = swish ? 0.5 : node.attrs.float('beta', 0.5);
  const affine = node.emitHidden({ op: 'affine', inputs: [x.ref], outShape: x.shape, inner: 1, scale: Float64Array.of(alpha), shift: Float64Array.of(beta) });
  if (!swish) {
    node.emit({ op: 'clip', inputs: [affine.ref], outShape: x.shape, min: 0, max: 1 });
    return;
  }
  const gate = node.emitHidden({ op: 'clip', inputs: [affine.ref], outShape: x.shape, min: 0, max: 1 });
  node.emit({ op: 'mul', inputs: [x.ref, gate.ref], outShape: x.shape });
}

/** The largest integer exponent Pow accepts (a chain of that many products at most). */
export const MAX_POW_EXPONENT = 8;

/** Pow(x, n) for a constant integer 1 <= n <= 8: square-and-multiply with mul steps. */
export function convertPow(node: NodeView): void {
  const x = node.act(0);
  const exponent = node.constant(1, 'exponent');
  const n = exponent.data[0];
  if (exponent.data.length !== 1 || !Number.isInteger(n) || n < 1 || n > MAX_POW_EXPONENT) {
    return node.refuse(`exponent ${exponent.data.length === 1 ? n : `of shape [${exponent.shape.join(',')}]`} is not supported (only a scalar integer in [1, ${MAX_POW_EXPONENT}])`);
  }
  if (n === 1) return node.output(x);
  // binary exponentiation: result collects x^(2^k) for the set bits of n
  const square = (a: ActValue, b: ActValue): ActValue => node.emitHidden({ op: 'mul', inputs: [a.ref, b.ref], outShape: x.shape });
  let power: ActValue = x;
  let result: ActValue | undefined;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) {
    if (rest % 2 === 1) result = result ? square(result, power) : power;
    if (rest > 1) power = square(power, power);
  }
  node.output(result!);
}
