/**
 * The MNIST MLP 784-56-10 (Gemm, Relu, Gemm) of the public zkML benchmarks: its float weights,
 * a plain TypeScript forward pass, and its ONNX form laid out like a `torch.onnx.export` of
 * `nn.Sequential`-style `fc1 / relu / fc2` (input "input" [batch_size, 784], initializers
 * "fc1.weight" [56, 784] ..., Gemm with transB=1, opset 17, IR version 8). Framework-free.
 */
import { onnx } from 'onnx-proto';
import { argmax } from '../accuracy/accuracy-report';
import { EngineError } from '../engine.errors';

export { argmax };

export const MNIST_MLP_LAYER_SIZES = [784, 56, 10] as const;
export const MNIST_MLP_OPSET_VERSION = 17;
export const MNIST_MLP_IR_VERSION = 8;
export const MNIST_MLP_INPUT_NAME = 'input';
export const MNIST_MLP_OUTPUT_NAME = 'output';
export const MNIST_MLP_BATCH_DIM_PARAM = 'batch_size';
export const MNIST_MLP_PRODUCER_NAME = 'verity-train-mnist';
export const MNIST_MLP_MODEL_FILE = 'mnist-mlp.onnx';

/** One fully connected layer, PyTorch layout: weight is [outFeatures, inFeatures], row-major. */
export interface DenseLayer {
  name: string;
  inFeatures: number;
  outFeatures: number;
  weight: Float32Array;
  bias: Float32Array;
}

/** Layers in order; a ReLU sits between consecutive layers, none after the last. */
export type MlpWeights = DenseLayer[];

/** Plain forward pass in float64 arithmetic over the float32 weights; returns the logits. */
export function mlpForward(layers: MlpWeights, input: ArrayLike<number>): Float64Array {
  let activation = Float64Array.from(input);
  layers.forEach((layer, layerIndex) => {
    if (activation.length !== layer.inFeatures) {
      throw new EngineError('INPUT_SHAPE', `layer ${layer.name} expects ${layer.inFeatures} inputs, got ${activation.length}`);
    }
    const out = new Float64Array(layer.outFeatures);
    for (let o = 0; o < layer.outFeatures; o++) {
      let sum = layer.bias[o];
      const row = o * layer.inFeatures;
      for (let i = 0; i < layer.inFeatures; i++) sum += layer.weight[row + i] * activation[i];
      out[o] = layerIndex < layers.length - 1 && sum < 0 ? 0 : sum;
    }
    activation = out;
  });
  return activation;
}

/** Index of the largest value (the first one on a tie). */
function floatInitializer(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: Uint8Array.from(bytes) };
}

function batchedFloatValue(name: string, features: number): onnx.IValueInfoProto {
  const dim = [{ dimParam: MNIST_MLP_BATCH_DIM_PARAM }, { dimValue: features }];
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } };
}

function gemmNode(layer: DenseLayer, input: string, output: string): onnx.INodeProto {
  const { FLOAT, INT } = onnx.AttributeProto.AttributeType;
  return {
    name: `/${layer.name}/Gemm`,
    opType: 'Gemm',
    input: [input, `${layer.name}.weight`, `${layer.name}.bias`],
    output: [output],
    attribute: [
      { name: 'alpha', type: FLOAT, f: 1 },
      { name: 'beta', type: FLOAT, f: 1 },
      { name: 'transB', type: INT, i: 1 },
    ],
  };
}

/** Serializes the layers as a float32 ONNX model (Gemm / Relu / ... / Gemm). */
export function encodeMlpOnnx(layers: MlpWeights, docString: string): Uint8Array {
  const nodes: onnx.INodeProto[] = [];
  let current = MNIST_MLP_INPUT_NAME;
  layers.forEach((layer, index) => {
    const isLast = index === layers.length - 1;
    const gemmOut = isLast ? MNIST_MLP_OUTPUT_NAME : `/${layer.name}/Gemm_output_0`;
    nodes.push(gemmNode(layer, current, gemmOut));
    current = gemmOut;
    if (!isLast) {
      const reluName = index === 0 ? 'relu' : `relu_${index}`;
      const reluOut = `/${reluName}/Relu_output_0`;
      nodes.push({ name: `/${reluName}/Relu`, opType: 'Relu', input: [current], output: [reluOut] });
      current = reluOut;
    }
  });
  const initializer = layers.flatMap((layer) => [
    floatInitializer(`${layer.name}.weight`, [layer.outFeatures, layer.inFeatures], layer.weight),
    floatInitializer(`${layer.name}.bias`, [layer.outFeatures], layer.bias),
  ]);
  const model = onnx.ModelProto.create({
    irVersion: MNIST_MLP_IR_VERSION,
    producerName: MNIST_MLP_PRODUCER_NAME,
    docString,
    opsetImport: [{ domain: '', version: MNIST_MLP_OPSET_VERSION }],
    graph: {
      name: 'main_graph',
      node: nodes,
      initializer,
      input: [batchedFloatValue(MNIST_MLP_INPUT_NAME, layers[0].inFeatures)],
      output: [batchedFloatValue(MNIST_MLP_OUTPUT_NAME, layers[layers.length - 1].outFeatures)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

function readFloatInitializer(byName: Map<string, onnx.ITensorProto>, name: string): Float32Array {
  const tensor = byName.get(name);
  if (!tensor) throw new EngineError('MALFORMED_ONNX', `initializer ${name} is missing`);
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT)
    throw new EngineError('UNSUPPORTED_MODEL', `initializer ${name} is not float32`);
  if (tensor.rawData && tensor.rawData.length > 0) {
    const raw = tensor.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(tensor.floatData ?? []);
}

/**
 * Reads the Gemm layers back from an ONNX model written like encodeMlpOnnx (or a PyTorch export
 * of the same shape): for each Gemm node in order, its weight [out, in] and bias initializers.
 */
export function decodeMlpOnnx(bytes: Uint8Array): MlpWeights {
  const graph = onnx.ModelProto.decode(bytes).graph;
  if (!graph) throw new EngineError('MALFORMED_ONNX', 'ONNX model has no graph');
  const byName = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  return (graph.node ?? [])
    .filter((node) => node.opType === 'Gemm')
    .map((node) => {
      const [, weightName, biasName] = node.input ?? [];
      const dims = (byName.get(weightName)?.dims ?? []).map(Number);
      const transB = node.attribute?.find((a) => a.name === 'transB')?.i;
      if (Number(transB) !== 1 || dims.length !== 2)
        throw new EngineError('UNSUPPORTED_MODEL', `Gemm ${node.name} is not a transB=1 dense layer`);
      return {
        name: weightName.replace(/\.weight$/, ''),
        outFeatures: dims[0],
        inFeatures: dims[1],
        weight: readFloatInitializer(byName, weightName),
        bias: readFloatInitializer(byName, biasName),
      };
    });
}
