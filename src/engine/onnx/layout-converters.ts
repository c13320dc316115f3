/** Layout ops (Reshape, Flatten, Squeeze, Unsqueeze, Pad, Gather) and pooling on activations. */
import { makeWindowGeometry } from '../geometry/window-geometry';
import { numel, stridesOf } from './const-tensor';
import type { NodeView } from './import-context';
import { checkedElementCount } from './import-limits';
import { windowAttributes } from './linear-converters';
import { normalizeAxis, resolveReshape, squeezeShape, unsqueezeShape } from './shape-rules';

function emitReshape(node: NodeView, outShape: number[]): void {
  const x = node.act(0);
  node.emit({ op: 'reshape', inputs: [x.ref], outShape });
}

export function convertReshape(node: NodeView): void {
  const x = node.act(0);
  const target = Array.from(node.constant(1, 'shape').data);
  emitReshape(node, resolveReshape(x.shape, target, node.attrs.int('allowzero', 0) === 1, node.where));
}

export function convertFlatten(node: NodeView): void {
  const x = node.act(0);
  const axis = normalizeAxis(node.attrs.int('axis', 1), x.shape.length + 1, node.where);
  emitReshape(node, [numel(x.shape.slice(0, axis)), numel(x.shape.slice(axis))]);
}

function axesOf(node: NodeView): number[] {
  return node.attrs.ints('axes') ?? (node.input(1) ? Array.from(node.constant(1, 'axes').data) : []);
}

export function convertSqueeze(node: NodeView): void {
  emitReshape(node, squeezeShape(node.act(0).shape, axesOf(node), node.where));
}

export function convertUnsqueeze(node: NodeView): void {
  emitReshape(node, unsqueezeShape(node.act(0).shape, axesOf(node), node.where));
}

/** Pad (constant mode): an index map with -1 where the pad value goes. Negative pads crop. */
export function convertPad(node: NodeView): void {
  const x = node.act(0);
  if (node.attrs.string('mode', 'constant') !== 'constant') node.refuse(`mode ${node.attrs.string('mode', '')} is not supported`);
  if (node.input(3)) node.refuse('the axes input is not supported');
  const pads = node.attrs.ints('pads') ?? Array.from(node.constant(1, 'pads').data);
  const padTensor = node.attrs.has('value') ? undefined : node.optionalConstant(2, 'constant_value');
  const padValue = padTensor ? padTensor.data[0] : node.attrs.float('value', 0);
  const rank = x.shape.length;
  if (pads.length !== 2 * rank) node.refuse(`pads has ${pads.length} values, expected ${2 * rank}`);
  const outShape = x.shape.map((d, i) => d + pads[i] + pads[i + rank]);
  if (outShape.some((d) => d <= 0)) node.refuse('pads remove the whole tensor');
  checkedElementCount(outShape, `output of ${node.where}`);
  const inStrides = stridesOf(x.shape);
  const outStrides = stridesOf(outShape);
  const indices = new Int32Array(numel(outShape));
  for (let flat = 0; flat < indices.length; flat++) {
    let src = 0;
    for (let d = 0; d < rank && src >= 0; d++) {
      const coord = Math.floor(flat / outStrides[d]) % outShape[d] - pads[d];
      src = coord < 0 || coord >= x.shape[d] ? -1 : src + coord * inStrides[d];
    }
    indices[flat] = src;
  }
  node.emit({ op: 'gather', inputs: [x.ref], outShape, indices, padValue });
}

/** Gather on an activation with constant indices: an index map. */
export function convertGather(node: NodeView): void {
  const x = node.act(0);
  const idx = node.constant(1, 'indices');
  const axis = normalizeAxis(node.attrs.int('axis', 0), x.shape.length, node.where);
  const axisLen = x.shape[axis];
  const outer = numel(x.shape.slice(0, axis));
  const inner = numel(x.shape.slice(axis + 1));
  const outShape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  checkedElementCount(outShape, `output of ${node.where}`);
  const indices = new Int32Array(numel(outShape));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const raw of idx.data) {
      const index = raw < 0 ? raw + axisLen : raw;
      if (index < 0 || index >= axisLen) node.refuse(`index ${raw} out of range for axis of size ${axisLen}`);
      for (let i = 0; i < inner; i++) indices[k++] = (o * axisLen + index) * inner + i;
    }
  }
  node.emit({ op: 'gather', inputs: [x.ref], outShape, indices, padValue: 0 });
}

/**
 * 2-D pooling on NCHW; 1-D pooling on NCL is the same pool on [N, C, 1, L] (a reshape step before
 * and after, kernel [1, k]).
 */
export function convertPool(node: NodeView): void {
  const x = node.act(0);
  const kernel = node.attrs.ints('kernel_shape');
  const oneD = kernel?.length === 1 && x.shape.length === 3;
  if (!kernel || (!oneD && (kernel.length !== 2 || x.shape.length !== 4))) node.refuse('only 1-D (NCL) and 2-D (NCHW) pooling is supported');
  const attrs = windowAttributes(node, kernel);
  const lift = (v: number[], fill: number): number[] => (oneD ? [fill, v[0]] : v);
  const strides = lift(attrs.strides, 1);
  const dilations = lift(attrs.dilations, 1);
  const pads = oneD ? [0, attrs.pads[0], 0, attrs.pads[1]] : attrs.pads;
  const source = oneD ? node.emitHidden({ op: 'reshape', inputs: [x.ref], outShape: [1, x.shape[1], 1, x.shape[2]] }) : x;
  const geometry = makeWindowGeometry(source.shape, lift(kernel, 1), strides, pads, dilations, node.where);
  const outShape = [1, x.shape[1], ...geometry.outSpatial];
  const op = node.op === 'MaxPool' ? 'maxPool' : 'avgPool';
  const countIncludePad = node.attrs.int('count_include_pad', 0) === 1;
  if (!oneD) {
    node.emit({ op, inputs: [x.ref], outShape, geometry, countIncludePad });
    return;
  }
  const pooled = node.emitHidden({ op, inputs: [source.ref], outShape, geometry, countIncludePad });
  node.emit({ op: 'reshape', inputs: [pooled.ref], outShape: [1, x.shape[1], geometry.outSpatial[1]] });
}
