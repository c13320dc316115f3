import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { MnistHoldout, findRepoRoot, loadMnistHoldout, mnistFixtureDir } from './mnist-data';
import {
  MNIST_MLP_INPUT_NAME,
  MNIST_MLP_IR_VERSION,
  MNIST_MLP_LAYER_SIZES,
  MNIST_MLP_MODEL_FILE,
  MNIST_MLP_OPSET_VERSION,
  MNIST_MLP_OUTPUT_NAME,
  MlpWeights,
  argmax,
  decodeMlpOnnx,
  encodeMlpOnnx,
  mlpForward,
} from './mnist-mlp';

const MIN_HOLDOUT_ACCURACY = 0.9;
/** float32 onnxruntime logits vs float64 accumulation over the same float32 weights. */
const LOGIT_TOLERANCE = 1e-4;
const OUTPUT_CLASSES = MNIST_MLP_LAYER_SIZES[MNIST_MLP_LAYER_SIZES.length - 1];
const CHILD_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Runs onnxruntime in a child Node process. Inside Jest's sandbox, onnxruntime-node's native
 * binding returns Float32Arrays of the outer realm, which fail onnxruntime-common's
 * `instanceof Float32Array` check ("A float32 tensor's data must be type of Float32Array").
 */
const ORT_CHILD_SCRIPT = `
const ort = require('onnxruntime-node');
const { modelPath, inputs, inputName, outputName } = JSON.parse(require('fs').readFileSync(0, 'utf8'));
(async () => {
  const session = await ort.InferenceSession.create(modelPath);
  const data = Float32Array.from(inputs.flat());
  const feeds = { [inputName]: new ort.Tensor('float32', data, [inputs.length, inputs[0].length]) };
  const out = (await session.run(feeds))[outputName];
  process.stdout.write(JSON.stringify(Array.from(out.data)));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function onnxruntimeLogits(modelPath: string, inputs: number[][]): Float32Array[] {
  const request = { modelPath, inputs, inputName: MNIST_MLP_INPUT_NAME, outputName: MNIST_MLP_OUTPUT_NAME };
  const child = spawnSync(process.execPath, ['-e', ORT_CHILD_SCRIPT], {
    cwd: findRepoRoot(),
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: CHILD_MAX_OUTPUT_BYTES,
  });
  if (child.status !== 0) throw new Error(`onnxruntime child failed: ${child.stderr}`);
  const flat = Float32Array.from(JSON.parse(child.stdout) as number[]);
  return inputs.map((_, n) => flat.slice(n * OUTPUT_CLASSES, (n + 1) * OUTPUT_CLASSES));
}

describe('the mnist-mlp.onnx fixture', () => {
  const modelPath = join(mnistFixtureDir(), MNIST_MLP_MODEL_FILE);
  const modelBytes = readFileSync(modelPath);
  let holdout: MnistHoldout;
  let runtimeLogits: Float32Array[];

  beforeAll(() => {
    holdout = loadMnistHoldout();
    runtimeLogits = onnxruntimeLogits(modelPath, holdout.inputs);
  });

  it('declares a float input named input of shape [batch_size, 784], opset 17, IR version 8', () => {
    const model = onnx.ModelProto.decode(modelBytes);
    expect(Number(model.irVersion)).toBe(MNIST_MLP_IR_VERSION);
    expect(model.opsetImport.map((o) => [o.domain ?? '', Number(o.version)])).toEqual([
      ['', MNIST_MLP_OPSET_VERSION],
    ]);
    const graph = model.graph!;
    const input = graph.input![0];
    expect(input.name).toBe('input');
    expect(input.type?.tensorType?.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(input.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue))).toEqual([
      'batch_size',
      784,
    ]);
    expect(graph.node!.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm']);
  });

  it('keeps the weights of fc1 [56, 784] and fc2 [10, 56] as initializers', () => {
    const layers = decodeMlpOnnx(modelBytes);
    expect(layers.map((l) => [l.name, l.outFeatures, l.inFeatures, l.weight.length, l.bias.length])).toEqual([
      ['fc1', 56, 784, 56 * 784, 56],
      ['fc2', 10, 56, 10 * 56, 10],
    ]);
  });

  it('classifies at least 90 % of the held-back digits correctly under onnxruntime', () => {
    const correct = runtimeLogits.filter((logits, n) => argmax(logits) === holdout.labels[n]).length;
    expect(correct / holdout.labels.length).toBeGreaterThanOrEqual(MIN_HOLDOUT_ACCURACY);
  });

  it('gives the same argmax as a plain forward pass over the weights read from the file, for every held-back digit', () => {
    const layers = decodeMlpOnnx(modelBytes);
    const plain = holdout.inputs.map((input) => argmax(mlpForward(layers, input)));
    expect(plain).toEqual(runtimeLogits.map((logits) => argmax(logits)));
  });

  it('matches the onnxruntime logits within float32 rounding', () => {
    const layers = decodeMlpOnnx(modelBytes);
    holdout.inputs.forEach((input, n) => {
      const plain = mlpForward(layers, input);
      plain.forEach((logit, o) =>
        expect(Math.abs(logit - runtimeLogits[n][o])).toBeLessThan(LOGIT_TOLERANCE),
      );
    });
  });
});

describe('encodeMlpOnnx', () => {
  const layers: MlpWeights = [
    {
      name: 'fc1',
      inFeatures: 3,
      outFeatures: 2,
      weight: Float32Array.of(0.5, -1, 2, 0.25, 0, -0.75),
      bias: Float32Array.of(0.1, -3),
    },
    {
      name: 'fc2',
      inFeatures: 2,
      outFeatures: 2,
      weight: Float32Array.of(1, -1, 0.5, 2),
      bias: Float32Array.of(-0.2, 0.3),
    },
  ];

  it('reads back the exact weights it wrote', () => {
    const decoded = decodeMlpOnnx(encodeMlpOnnx(layers, 'test'));
    expect(decoded).toEqual(layers);
  });

  it('applies ReLU between layers and not after the last one', () => {
    // hidden = relu([0.5 - 1 + 2 + 0.1, 0.25 - 0.75 - 3]) = [1.6, 0]; out = [1.6 - 0.2, 0.8 + 0.3]
    const logits = mlpForward(layers, [1, 1, 1]);
    expect(logits[0]).toBeCloseTo(1.4, 6);
    expect(logits[1]).toBeCloseTo(1.1, 6);
    // hidden = relu([-5 + 0.1, -2.5 - 3]) = [0, 0]; out = biases, the negative one kept
    expect(Array.from(mlpForward(layers, [-10, 0, 0]))).toEqual([Math.fround(-0.2), Math.fround(0.3)]);
  });
});
