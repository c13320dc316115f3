import { onnx } from 'onnx-proto';
import { buildFloatModel } from '../testing/float-model-builder';
import { tensorFromProto } from './const-tensor';
import { importOnnx } from './onnx-import';
import { engineErrorOf } from '../testing/engine-error-of';

const FLOAT = onnx.TensorProto.DataType.FLOAT;

const errorOf = engineErrorOf;

/** Four bytes of float32 raw data: one value. */
const oneFloat = (): Uint8Array => new Uint8Array(new Float32Array([1.5]).buffer);

describe('constant tensors', () => {
  it('reads raw little-endian data whose size matches the declared shape', () => {
    const raw = new Uint8Array(new Float32Array([1, -2, 0.5]).buffer);
    const tensor = tensorFromProto({ dims: [3], dataType: FLOAT, rawData: raw }, 'w');
    expect(Array.from(tensor.data)).toEqual([1, -2, 0.5]);
  });

  it('refuses a tensor declaring 2^40 values over 4 bytes of raw data as MALFORMED_ONNX, before allocating for the declared shape', () => {
    const error = errorOf(() =>
      tensorFromProto({ dims: [2 ** 40], dataType: FLOAT, rawData: oneFloat() }, 'w'),
    );
    expect(error.code).toBe('MALFORMED_ONNX');
    expect(error.message).toBe(
      `tensor w declares ${2 ** 40} values (${4 * 2 ** 40} bytes) but its raw data has 4 bytes`,
    );
  });

  it('refuses raw data longer than the declared shape, and a shape with a negative dimension', () => {
    const raw = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    expect(
      errorOf(() => tensorFromProto({ dims: [2], dataType: FLOAT, rawData: raw }, 'w')).message,
    ).toContain('declares 2 values (8 bytes) but its raw data has 12 bytes');
    expect(
      errorOf(() => tensorFromProto({ dims: [-1], dataType: FLOAT, rawData: oneFloat() }, 'w')).code,
    ).toBe('MALFORMED_ONNX');
  });

  it('refuses an uploaded model whose initializer declares far more values than its body carries', () => {
    const model = onnx.ModelProto.decode(
      buildFloatModel({
        input: { name: 'x', dims: ['batch_size', 1] },
        output: { name: 'y', dims: ['batch_size', 1] },
        initializers: [{ name: 'w', dims: [1, 1], values: [2] }],
        nodes: [{ op: 'MatMul', inputs: ['x', 'w'], output: 'y' }],
      }),
    );
    const graph = model.graph;
    if (!graph) throw new Error('the test model has a graph');
    graph.initializer = [
      onnx.TensorProto.create({
        name: 'w',
        dims: [2 ** 20, 2 ** 20],
        dataType: FLOAT,
        rawData: oneFloat(),
      }),
    ];
    const oversized = onnx.ModelProto.encode(model).finish();
    expect(oversized.length).toBeLessThan(200);
    const error = errorOf(() => importOnnx(oversized));
    expect(error.code).toBe('MALFORMED_ONNX');
    expect(error.message).toContain('but its raw data has 4 bytes');
  });
});
