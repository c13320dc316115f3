/**
 * Small hand-built float models that, with the conformance fixtures, cover every step op of
 * docs/semantics.md section 3 for the one-step executor's differential test: pad (gather), both
 * average pools, max pool with padding, affine, addConst, leakyRelu, clip, sigmoid, tanh, add, sub,
 * gather, conv with strides/pads/dilations, reshape and softmax.
 */
import {
  buildFloatModel,
  floatAttr,
  seededValues,
  type FloatModelSpec,
} from '../../src/engine/testing/float-model-builder';
import { onnx } from 'onnx-proto';

const ints = (name: string, values: number[]): onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: values,
});
const int = (name: string, value: number): onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i: value,
});

/** Pad -> AvgPool (count_include_pad 0) -> MaxPool (padded) -> Mul -> Add -> LeakyRelu -> Clip -> Flatten -> Gemm -> Softmax. */
function poolingModel(): FloatModelSpec {
  return {
    input: { name: 'x', dims: ['n', 2, 5, 6] },
    output: { name: 'y', dims: ['n', 5] },
    initializers: [
      { name: 'scale', dims: [1, 2, 1, 1], values: [1.5, -0.75] },
      { name: 'offset', dims: [1, 2, 1, 1], values: [0.25, -0.5] },
      { name: 'lo', dims: [], values: [-0.5] },
      { name: 'hi', dims: [], values: [0.75] },
      { name: 'w', dims: [5, 24], values: seededValues(120, 3, 0.5) },
      { name: 'b', dims: [5], values: seededValues(5, 4, 0.1) },
    ],
    nodes: [
      {
        op: 'Pad',
        inputs: ['x'],
        output: 'p',
        attrs: [ints('pads', [0, 0, 1, 0, 0, 0, 0, 1]), floatAttr('value', 0.375)],
      },
      {
        op: 'AveragePool',
        inputs: ['p'],
        output: 'a',
        attrs: [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), int('count_include_pad', 0)],
      },
      {
        op: 'MaxPool',
        inputs: ['a'],
        output: 'm',
        attrs: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), ints('pads', [1, 0, 0, 1])],
      },
      { op: 'Mul', inputs: ['m', 'scale'], output: 's' },
      { op: 'Add', inputs: ['s', 'offset'], output: 'o' },
      { op: 'LeakyRelu', inputs: ['o'], output: 'l', attrs: [floatAttr('alpha', 0.125)] },
      { op: 'Clip', inputs: ['l', 'lo', 'hi'], output: 'c' },
      { op: 'Flatten', inputs: ['c'], output: 'f' },
      { op: 'Gemm', inputs: ['f', 'w', 'b'], output: 'g', attrs: [int('transB', 1)] },
      { op: 'Softmax', inputs: ['g'], output: 'y' },
    ],
  };
}

/** Tanh, Sigmoid, Add and Sub of activations, Gather with constant indices, Relu, Reshape, Softmax over groups. */
function elementwiseModel(): FloatModelSpec {
  return {
    input: { name: 'x', dims: ['n', 12] },
    output: { name: 'y', dims: ['n', 2, 5] },
    initializers: [
      { name: 'idx', dims: [10], values: [11, 0, 3, 3, 7, 1, 10, 2, 5, 9] },
      { name: 'shape', dims: [3], values: [1, 2, 5] },
    ],
    nodes: [
      { op: 'Tanh', inputs: ['x'], output: 't' },
      { op: 'Sigmoid', inputs: ['x'], output: 's' },
      { op: 'Add', inputs: ['t', 's'], output: 'a' },
      { op: 'Sub', inputs: ['a', 'x'], output: 'd' },
      { op: 'Gather', inputs: ['d', 'idx'], output: 'g', attrs: [int('axis', 1)] },
      { op: 'Relu', inputs: ['g'], output: 'r' },
      { op: 'Reshape', inputs: ['r', 'shape'], output: 'h' },
      { op: 'Softmax', inputs: ['h'], output: 'y' },
    ],
  };
}

/** AvgPool with count_include_pad 1, then a strided, padded, dilated Conv with 3 filters. */
function convModel(): FloatModelSpec {
  return {
    input: { name: 'x', dims: ['n', 2, 7, 7] },
    output: { name: 'y', dims: ['n', 3, 3, 3] },
    initializers: [
      { name: 'w', dims: [3, 2, 3, 2], values: seededValues(36, 9, 0.6) },
      { name: 'b', dims: [3], values: seededValues(3, 10, 0.2) },
    ],
    nodes: [
      {
        op: 'AveragePool',
        inputs: ['x'],
        output: 'a',
        attrs: [ints('kernel_shape', [2, 3]), ints('pads', [1, 1, 0, 1]), int('count_include_pad', 1)],
      },
      {
        op: 'Conv',
        inputs: ['a', 'w', 'b'],
        output: 'y',
        attrs: [
          ints('kernel_shape', [3, 2]),
          ints('strides', [2, 3]),
          ints('pads', [1, 2, 1, 0]),
          ints('dilations', [2, 1]),
        ],
      },
    ],
  };
}

/** Issue 13's exact elementwise ops (Mul of activations, Abs, Sign, Floor, Ceil, Round, comparisons) and Selu, Celu. */
function integerElementwiseModel(): FloatModelSpec {
  return {
    input: { name: 'x', dims: ['n', 40] },
    output: { name: 'y', dims: ['n', 40] },
    initializers: [{ name: 'c', dims: [], values: [0.25] }],
    nodes: [
      { op: 'Tanh', inputs: ['x'], output: 't' },
      { op: 'Mul', inputs: ['x', 't'], output: 'm' },
      { op: 'Abs', inputs: ['m'], output: 'a' },
      { op: 'Sign', inputs: ['x'], output: 's' },
      { op: 'Floor', inputs: ['x'], output: 'f' },
      { op: 'Ceil', inputs: ['x'], output: 'e' },
      { op: 'Round', inputs: ['x'], output: 'r' },
      { op: 'Less', inputs: ['f', 'r'], output: 'lt' },
      { op: 'GreaterOrEqual', inputs: ['x', 'c'], output: 'ge' },
      { op: 'Where', inputs: ['lt', 'a', 'e'], output: 'w' },
      { op: 'Where', inputs: ['ge', 'w', 's'], output: 'z' },
      { op: 'Selu', inputs: ['z'], output: 'u' },
      { op: 'Celu', inputs: ['u'], output: 'v', attrs: [floatAttr('alpha', 1.5)] },
      { op: 'Add', inputs: ['v', 'x'], output: 'y' },
    ],
  };
}

/** Issue 13's reductions (every kind, over the last, a middle and two axes) and Softmax over a middle axis. */
function reductionModel(): FloatModelSpec {
  const cast = (input: string, output: string) => ({ op: 'Cast', inputs: [input], output, attrs: [int('to', 1)] });
  return {
    input: { name: 'x', dims: ['n', 4, 6] },
    output: { name: 'y', dims: ['n', 4, 6] },
    initializers: [{ name: 'axes', dims: [1], values: [2], type: 'int64' }],
    nodes: [
      { op: 'ReduceSum', inputs: ['x', 'axes'], output: 's' },
      { op: 'ReduceMean', inputs: ['x'], output: 'm', attrs: [ints('axes', [1])] },
      { op: 'Add', inputs: ['s', 'm'], output: 'a' },
      { op: 'ReduceMax', inputs: ['a'], output: 'mx', attrs: [ints('axes', [1])] },
      { op: 'ReduceMin', inputs: ['x'], output: 'mn', attrs: [ints('axes', [2])] },
      { op: 'Sub', inputs: ['mx', 'mn'], output: 'b' },
      { op: 'ReduceL1', inputs: ['b'], output: 'l', attrs: [ints('axes', [1, 2]), int('keepdims', 0)] },
      { op: 'ArgMax', inputs: ['b'], output: 'ami', attrs: [int('axis', 1)] },
      cast('ami', 'am'),
      { op: 'ArgMin', inputs: ['x'], output: 'ani', attrs: [int('axis', 2)] },
      cast('ani', 'an'),
      { op: 'Add', inputs: ['am', 'an'], output: 'c' },
      { op: 'Mul', inputs: ['c', 'l'], output: 'd' },
      { op: 'Softmax', inputs: ['d'], output: 'sm', attrs: [int('axis', 1)] },
      { op: 'Add', inputs: ['sm', 'b'], output: 'y' },
    ],
  };
}

/** Issue 13's Sqrt (0 for x <= 0) and ReduceL2 (isqrt of the exact sum of squares). */
function sqrtModel(): FloatModelSpec {
  return {
    input: { name: 'x', dims: ['n', 3, 5] },
    output: { name: 'y', dims: ['n', 3, 5] },
    initializers: [],
    nodes: [
      { op: 'Sqrt', inputs: ['x'], output: 's' },
      { op: 'ReduceL2', inputs: ['x'], output: 'l', attrs: [ints('axes', [2])] },
      { op: 'Add', inputs: ['s', 'l'], output: 'y' },
    ],
  };
}

/** Issue 13's division: Div of two activations (a zero divisor where Relu clips), Reciprocal, constant / x. */
function divisionModel(): FloatModelSpec {
  return {
    input: { name: 'x', dims: ['n', 2, 8] },
    output: { name: 'y', dims: ['n', 8] },
    initializers: [
      { name: 'i0', dims: [], values: [0], type: 'int64' },
      { name: 'i1', dims: [], values: [1], type: 'int64' },
      { name: 'c', dims: [], values: [-0.75] },
    ],
    nodes: [
      { op: 'Gather', inputs: ['x', 'i0'], output: 'a', attrs: [int('axis', 1)] },
      { op: 'Gather', inputs: ['x', 'i1'], output: 'b', attrs: [int('axis', 1)] },
      { op: 'Relu', inputs: ['b'], output: 'r' },
      { op: 'Div', inputs: ['a', 'r'], output: 'd' },
      { op: 'Reciprocal', inputs: ['a'], output: 'q' },
      { op: 'Div', inputs: ['c', 'b'], output: 'e' },
      { op: 'Add', inputs: ['d', 'q'], output: 's' },
      { op: 'Add', inputs: ['s', 'e'], output: 'y' },
    ],
  };
}

/** Issue 13's MatMul of two activations: one attention head, softmax(Q K^T / sqrt(5)) V, batched over 2 heads. */
function attentionModel(): FloatModelSpec {
  return {
    input: { name: 'x', dims: ['n', 2, 4, 6] },
    output: { name: 'y', dims: ['n', 2, 4, 5] },
    initializers: [
      { name: 'wq', dims: [6, 5], values: seededValues(30, 41, 0.5) },
      { name: 'wk', dims: [6, 5], values: seededValues(30, 42, 0.5) },
      { name: 'wv', dims: [6, 5], values: seededValues(30, 43, 0.5) },
      { name: 'scale', dims: [], values: [Math.sqrt(5)] },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'wq'], output: 'q' },
      { op: 'MatMul', inputs: ['x', 'wk'], output: 'k' },
      { op: 'MatMul', inputs: ['x', 'wv'], output: 'v' },
      { op: 'Transpose', inputs: ['k'], output: 'kt', attrs: [ints('perm', [0, 1, 3, 2])] },
      { op: 'MatMul', inputs: ['q', 'kt'], output: 's' },
      { op: 'Div', inputs: ['s', 'scale'], output: 'z' },
      { op: 'Softmax', inputs: ['z'], output: 'p' },
      { op: 'MatMul', inputs: ['p', 'v'], output: 'y' },
    ],
  };
}

export const ONE_STEP_MODELS: Record<string, () => Uint8Array> = {
  'hand-pooling': () => buildFloatModel(poolingModel()),
  'hand-elementwise': () => buildFloatModel(elementwiseModel()),
  'hand-conv': () => buildFloatModel(convModel()),
  'hand-integer-elementwise': () => buildFloatModel(integerElementwiseModel()),
  'hand-reductions': () => buildFloatModel(reductionModel()),
  'hand-sqrt': () => buildFloatModel(sqrtModel()),
  'hand-division': () => buildFloatModel(divisionModel()),
  'hand-attention': () => buildFloatModel(attentionModel()),
};
