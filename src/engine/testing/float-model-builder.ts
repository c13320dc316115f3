/**
 * Builds small float32 ONNX models with onnx-proto, for specs and the benchmark (e.g. a random
 * MLP when the trained MNIST model is not available). Not used by the engine itself.
 */
import { onnx } from 'onnx-proto';

export interface FloatNodeSpec {
  op: string;
  inputs: string[];
  output: string;
  /** All outputs of a node with several (output is then outputs[0]). */
  outputs?: string[];
  attrs?: onnx.IAttributeProto[];
}

export interface FloatModelSpec {
  input: { name: string; dims: (number | string)[] };
  output: { name: string; dims: (number | string)[] };
  initializers: { name: string; dims: number[]; values: number[]; type?: 'float' | 'int64' }[];
  nodes: FloatNodeSpec[];
  opset?: number;
}

export function intAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export function intsAttr(name: string, values: number[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

export function floatAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export function buildFloatModel(spec: FloatModelSpec): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'verity-test',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: 'test',
      input: [valueInfo(spec.input.name, spec.input.dims)],
      output: [valueInfo(spec.output.name, spec.output.dims)],
      initializer: spec.initializers.map((t) =>
        t.type === 'int64'
          ? { name: t.name, dims: t.dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: t.values }
          : { name: t.name, dims: t.dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: t.values },
      ),
      node: spec.nodes.map((n, i) => ({ opType: n.op, name: `/${n.op}_${i}`, input: n.inputs, output: n.outputs ?? [n.output], attribute: n.attrs ?? [] })),
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** Deterministic pseudo-random values in [-scale, scale] (mulberry32). */
export function seededValues(count: number, seed: number, scale: number): number[] {
  let state = seed | 0;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1) * scale;
  });
}

/** A float MLP input -> hidden (Relu) -> output with Gemm(transB = 1), random weights. */
export function buildRandomMlp(sizes: [number, number, number], seed = 7): Uint8Array {
  const [n0, n1, n2] = sizes;
  return buildFloatModel({
    input: { name: 'input', dims: ['batch_size', n0] },
    output: { name: 'logits', dims: ['batch_size', n2] },
    initializers: [
      { name: 'w1', dims: [n1, n0], values: seededValues(n1 * n0, seed, 1 / Math.sqrt(n0)) },
      { name: 'b1', dims: [n1], values: seededValues(n1, seed + 1, 0.1) },
      { name: 'w2', dims: [n2, n1], values: seededValues(n2 * n1, seed + 2, 1 / Math.sqrt(n1)) },
      { name: 'b2', dims: [n2], values: seededValues(n2, seed + 3, 0.1) },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['input', 'w1', 'b1'], output: 'h', attrs: [intAttr('transB', 1)] },
      { op: 'Relu', inputs: ['h'], output: 'hr' },
      { op: 'Gemm', inputs: ['hr', 'w2', 'b2'], output: 'logits', attrs: [intAttr('transB', 1)] },
    ],
  });
}
