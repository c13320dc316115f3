/**
 * The two model shapes issue 18 (C1) names as dispute-gas attacks, as float ONNX models for specs
 * and the dispute bench: a 3x64x64 input through a 3x3 conv to 32 channels (123,008 values, 7,688
 * chunks in one step output), then average pools of small windows down to 32 outputs; and a chain
 * of Relu steps (1,400 by default: a trace of 1,401 tensors). `globalPoolConvModel` ends the same
 * conv with one 62x62 average pool instead: 3,844 taps for one output value, a one-step the
 * registration bound refuses. Not used by the engine itself.
 */
import { onnx } from 'onnx-proto';
import { buildFloatModel, seededValues } from './float-model-builder';

const ints = (name: string, values: number[]): onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: values,
});

/** x[n, 3, 64, 64] -> Conv 3x3 (32 filters) -> Relu -> AveragePool 4x4/4 -> 5x5/5 -> 3x3 -> Flatten -> y[n, 32]. */
export function wideConvModel(): Uint8Array {
  return convModel([
    { op: 'AveragePool', inputs: ['r'], output: 'p1', attrs: [ints('kernel_shape', [4, 4]), ints('strides', [4, 4])] },
    { op: 'AveragePool', inputs: ['p1'], output: 'p2', attrs: [ints('kernel_shape', [5, 5]), ints('strides', [5, 5])] },
    { op: 'AveragePool', inputs: ['p2'], output: 'p', attrs: [ints('kernel_shape', [3, 3])] },
  ]);
}

/** The same conv, then one AveragePool 62x62 (3,844 taps per output value). */
export function globalPoolConvModel(): Uint8Array {
  return convModel([
    { op: 'AveragePool', inputs: ['r'], output: 'p', attrs: [ints('kernel_shape', [62, 62])] },
  ]);
}

function convModel(pools: { op: string; inputs: string[]; output: string; attrs: onnx.IAttributeProto[] }[]): Uint8Array {
  return buildFloatModel({
    input: { name: 'x', dims: ['n', 3, 64, 64] },
    output: { name: 'y', dims: ['n', 32] },
    initializers: [
      { name: 'w', dims: [32, 3, 3, 3], values: seededValues(32 * 27, 11, 0.3) },
      { name: 'b', dims: [32], values: seededValues(32, 12, 0.1) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], output: 'c', attrs: [ints('kernel_shape', [3, 3])] },
      { op: 'Relu', inputs: ['c'], output: 'r' },
      ...pools,
      { op: 'Flatten', inputs: ['p'], output: 'y' },
    ],
  });
}

/** x[n, 16] -> Relu -> Relu -> ... (`length` Relu steps) -> y[n, 16]. */
export function reluChainModel(length = 1400): Uint8Array {
  const names = Array.from({ length: length + 1 }, (_, i) => (i === 0 ? 'x' : i === length ? 'y' : `r${i}`));
  return buildFloatModel({
    input: { name: 'x', dims: ['n', 16] },
    output: { name: 'y', dims: ['n', 16] },
    initializers: [],
    nodes: Array.from({ length }, (_, i) => ({ op: 'Relu', inputs: [names[i]], output: names[i + 1] })),
  });
}
