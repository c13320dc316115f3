/** Constant tensors seen during import (initializers, Constant nodes, folded shape arithmetic). */
import { onnx } from 'onnx-proto';
import { EngineError } from '../engine.errors';
import { checkedElementCount } from './import-limits';

export interface ConstTensor {
  shape: number[];
  data: Float64Array;
  /** True for integer ONNX element types (shape arithmetic, indices). */
  integer: boolean;
}

const DT = onnx.TensorProto.DataType;
const INTEGER_TYPES = new Set<number>([DT.INT8, DT.INT16, DT.INT32, DT.INT64, DT.UINT8, DT.UINT16, DT.UINT32, DT.UINT64, DT.BOOL]);

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function makeConst(shape: number[], data: ArrayLike<number>, integer = false): ConstTensor {
  if (numel(shape) !== data.length) {
    throw new EngineError('MALFORMED_ONNX', `constant of shape [${shape.join(',')}] has ${data.length} values`);
  }
  return { shape, data: Float64Array.from(data), integer };
}

type RawReader = [width: number, read: (view: DataView, offset: number) => number];

const RAW_READERS: Partial<Record<number, RawReader>> = {
  [DT.FLOAT]: [4, (v, o) => v.getFloat32(o, true)],
  [DT.DOUBLE]: [8, (v, o) => v.getFloat64(o, true)],
  [DT.INT64]: [8, (v, o) => Number(v.getBigInt64(o, true))],
  [DT.UINT64]: [8, (v, o) => Number(v.getBigUint64(o, true))],
  [DT.INT32]: [4, (v, o) => v.getInt32(o, true)],
  [DT.UINT32]: [4, (v, o) => v.getUint32(o, true)],
  [DT.INT16]: [2, (v, o) => v.getInt16(o, true)],
  [DT.UINT16]: [2, (v, o) => v.getUint16(o, true)],
  [DT.INT8]: [1, (v, o) => v.getInt8(o)],
  [DT.UINT8]: [1, (v, o) => v.getUint8(o)],
  [DT.BOOL]: [1, (v, o) => v.getUint8(o)],
};

/**
 * The values of a tensor's raw bytes. The shape is declared by whoever sent the model (it arrives
 * in a request body), so the declared size (element count x width) is checked against the bytes
 * actually sent before anything is allocated: a few bytes of protobuf declaring 2^40 elements are
 * refused as MALFORMED_ONNX, never turned into an allocation of the declared size.
 */
function readRaw(raw: Uint8Array, dataType: number, count: number, what: string): Float64Array {
  const reader = RAW_READERS[dataType];
  if (!reader) throw new EngineError('MALFORMED_ONNX', `unsupported tensor element type ${dataType}`);
  const [width, read] = reader;
  const declaredBytes = width * count;
  if (raw.byteLength !== declaredBytes) {
    throw new EngineError(
      'MALFORMED_ONNX',
      `tensor ${what} declares ${count} values (${declaredBytes} bytes) but its raw data has ${raw.byteLength} bytes`,
      { declaredBytes, rawBytes: raw.byteLength },
    );
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = read(view, i * width);
  return out;
}

/** The element count of a declared shape, refusing a dimension that is not a count. */
function declaredCount(shape: readonly number[], what: string): number {
  const count = numel(shape);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || !Number.isSafeInteger(count)) {
    throw new EngineError('MALFORMED_ONNX', `tensor ${what} has shape [${shape.join(',')}], not a shape of non-negative integers`);
  }
  return count;
}

/** Decode an ONNX TensorProto (raw or typed fields) into a ConstTensor. */
export function tensorFromProto(proto: onnx.ITensorProto, what: string): ConstTensor {
  if (proto.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new EngineError('UNSUPPORTED_MODEL', `tensor ${what} uses external data, which is not supported`);
  }
  const shape = (proto.dims ?? []).map((d) => Number(d));
  const count = declaredCount(shape, what);
  const dataType: number = proto.dataType ?? 0;
  const integer = INTEGER_TYPES.has(dataType);
  let data: Float64Array;
  if (proto.rawData && proto.rawData.length > 0) {
    data = readRaw(proto.rawData, dataType, count, what);
  } else {
    const fields: Partial<Record<number, ArrayLike<unknown> | null | undefined>> = {
      [DT.DOUBLE]: proto.doubleData,
      [DT.FLOAT]: proto.floatData,
      [DT.INT64]: proto.int64Data,
      [DT.UINT64]: proto.uint64Data,
      [DT.UINT32]: proto.uint64Data,
    };
    const typed: ArrayLike<unknown> = fields[dataType] ?? proto.int32Data ?? [];
    data = Float64Array.from(Array.from(typed, (v) => Number(v)));
  }
  if (data.length !== count) {
    throw new EngineError('MALFORMED_ONNX', `tensor ${what} has ${data.length} values, shape [${shape.join(',')}] needs ${count}`);
  }
  return { shape, data, integer };
}

/** Strides of a row-major shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/** ONNX (numpy) multidirectional broadcast of two shapes; throws when incompatible. */
export function broadcastShapes(a: readonly number[], b: readonly number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new EngineError('INPUT_SHAPE', `shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast at ${where}`);
    }
    out.push(Math.max(da, db));
  }
  checkedElementCount(out, `broadcast of [${a.join(',')}] and [${b.join(',')}] at ${where}`);
  return out;
}

/** Index map: for each element of outShape, the flat index into `shape` under broadcasting. */
export function broadcastIndexMap(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const total = numel(outShape);
  const map = new Int32Array(total);
  const rank = outShape.length;
  const offset = rank - shape.length;
  const inStrides = stridesOf(shape);
  // Stride of each output axis in the input (0 where the input is broadcast along it).
  const step = outShape.map((_, d) => (d < offset || shape[d - offset] === 1 ? 0 : inStrides[d - offset]));
  const coord = new Array<number>(rank).fill(0);
  let src = 0;
  for (let flat = 0; flat < total; flat++) {
    map[flat] = src;
    for (let d = rank - 1; d >= 0; d--) {
      src += step[d];
      if (++coord[d] < outShape[d]) break;
      src -= step[d] * coord[d];
      coord[d] = 0;
    }
  }
  return map;
}

/** Expand a constant to outShape (ONNX broadcasting). */
export function broadcastConst(tensor: ConstTensor, outShape: number[]): Float64Array {
  const map = broadcastIndexMap(tensor.shape, outShape);
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = tensor.data[map[i]];
  return out;
}

/** Elementwise binary op on constants with broadcasting (constant folding). */
export function constBinary(a: ConstTensor, b: ConstTensor, op: (x: number, y: number) => number, where: string): ConstTensor {
  const shape = broadcastShapes(a.shape, b.shape, where);
  const am = broadcastIndexMap(a.shape, shape);
  const bm = broadcastIndexMap(b.shape, shape);
  const data = new Float64Array(am.length);
  for (let i = 0; i < data.length; i++) data[i] = op(a.data[am[i]], b.data[bm[i]]);
  return { shape, data, integer: a.integer && b.integer };
}
