/** Elementwise activations (Softmax: reduce-converters.ts). */
import type { NodeView } from './import-context';

export function convertRelu(node: NodeView): void {
  const x = node.act(0);
  node.emit({ op: 'relu', inputs: [x.ref], outShape: x.shape });
}

export function convertLeakyRelu(node: NodeView): void {
  const x = node.act(0);
  node.emit({ op: 'leakyRelu', inputs: [x.ref], outShape: x.shape, alpha: node.attrs.float('alpha', 0.01) });
}

export function convertClip(node: NodeView): void {
  const x = node.act(0);
  const bound = (attr: string, input: number): number | null => {
    if (node.ctx.opset < 11) {
      const value = node.attrs.float(attr, Number.NaN);
      return Number.isFinite(value) ? value : null;
    }
    const tensor = node.optionalConstant(input, attr);
    return tensor && Number.isFinite(tensor.data[0]) ? tensor.data[0] : null;
  };
  node.emit({ op: 'clip', inputs: [x.ref], outShape: x.shape, min: bound('min', 1), max: bound('max', 2) });
}

/** Sqrt: floor(sqrt(x 2^F)), 0 for x <= 0 (docs/semantics.md section 3.4). */
export function convertSqrt(node: NodeView): void {
  const x = node.act(0);
  node.emit({ op: 'sqrt', inputs: [x.ref], outShape: x.shape });
}

export function convertSigmoidOrTanh(node: NodeView): void {
  const x = node.act(0);
  node.emit({ op: node.op === 'Tanh' ? 'tanh' : 'sigmoid', inputs: [x.ref], outShape: x.shape });
}

/** Identity, Dropout (inference) and float-to-float Cast pass the activation through. */
export function convertPassThrough(node: NodeView): void {
  if (node.op === 'Cast' && ![1, 11].includes(node.attrs.int('to', 1))) node.refuse('only Cast to float or double is supported');
  node.output(node.act(0));
}
