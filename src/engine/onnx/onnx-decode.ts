/** Decoding ONNX bytes and reading node attributes. */
import { onnx } from 'onnx-proto';
import { EngineError } from '../engine.errors';
import { type ConstTensor, tensorFromProto } from './const-tensor';
import { checkedElementCount } from './import-limits';

/** Decode a ModelProto; any protobuf or structural failure is MALFORMED_ONNX. */
export function decodeModelProto(bytes: Uint8Array): onnx.ModelProto {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new EngineError('MALFORMED_ONNX', 'ONNX model is empty');
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new EngineError('MALFORMED_ONNX', `ONNX model is not a valid protobuf ModelProto: ${reason}`, { reason }, { cause });
  }
  const graph = model.graph;
  if (!graph || ((graph.node ?? []).length === 0 && (graph.output ?? []).length === 0)) {
    throw new EngineError('MALFORMED_ONNX', 'ONNX model has no graph (is this an ONNX file?)');
  }
  if ((graph.input ?? []).length === 0 || (graph.output ?? []).length === 0) {
    throw new EngineError('MALFORMED_ONNX', 'ONNX graph has no inputs or no outputs');
  }
  return model;
}

/** Version of the default ('' or 'ai.onnx') opset domain. */
export function defaultOpsetVersion(model: onnx.ModelProto): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!entry) throw new EngineError('MALFORMED_ONNX', 'ONNX model imports no default-domain opset');
  return Number(entry.version);
}

export class NodeAttributes {
  private readonly byName = new Map<string, onnx.IAttributeProto>();

  constructor(
    node: onnx.INodeProto,
    private readonly where: string,
  ) {
    for (const attr of node.attribute ?? []) this.byName.set(attr.name ?? '', attr);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  int(name: string, fallback: number): number {
    const attr = this.byName.get(name);
    return attr?.i !== undefined && attr.i !== null ? Number(attr.i) : fallback;
  }

  float(name: string, fallback: number): number {
    const attr = this.byName.get(name);
    return attr?.f !== undefined && attr.f !== null ? attr.f : fallback;
  }

  ints(name: string): number[] | undefined {
    const attr = this.byName.get(name);
    return attr ? (attr.ints ?? []).map((v) => Number(v)) : undefined;
  }

  floats(name: string): number[] | undefined {
    const attr = this.byName.get(name);
    return attr ? (attr.floats ?? []).slice() : undefined;
  }

  string(name: string, fallback: string): string {
    const attr = this.byName.get(name);
    return attr?.s && attr.s.length > 0 ? Buffer.from(attr.s).toString('utf8') : fallback;
  }

  tensor(name: string): ConstTensor | undefined {
    const attr = this.byName.get(name);
    return attr?.t ? decodeTensor(attr.t, `${this.where}.${name}`) : undefined;
  }
}

/**
 * A TensorProto (initializer or attribute) as a ConstTensor. Its declared shape is checked before
 * any of its values are read: a shape that is not one of non-negative integers, or raw data too
 * short for it (every element takes at least one byte), is MALFORMED_ONNX; a shape above
 * MAX_TENSOR_ELEMENTS is MODEL_LIMIT_EXCEEDED.
 */
export function decodeTensor(proto: onnx.ITensorProto, what: string): ConstTensor {
  const shape = (proto.dims ?? []).map((d) => Number(d));
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new EngineError('MALFORMED_ONNX', `tensor ${what} has shape [${shape.join(',')}], not a shape of non-negative integers`);
  }
  const declared = shape.reduce((a, b) => Math.min(a * b, Number.MAX_SAFE_INTEGER), 1);
  const raw = proto.rawData?.length ?? 0;
  if (raw > 0 && declared > raw) {
    throw new EngineError('MALFORMED_ONNX', `tensor ${what} declares ${declared} values but its raw data has ${raw} bytes`, { declared, rawBytes: raw });
  }
  checkedElementCount(shape, `tensor "${what}"`);
  return tensorFromProto(proto, what);
}

/** Per-sample shape of a graph value; dynamic dims are returned as null. */
export function valueInfoShape(info: onnx.IValueInfoProto): (number | null)[] | undefined {
  const shape = info.type?.tensorType?.shape;
  if (!shape) return undefined;
  return (shape.dim ?? []).map((d) => {
    const value = Number(d.dimValue ?? 0);
    return d.dimParam || !(value > 0) ? null : value;
  });
}
