/**
 * Engine benchmark: throughput of the exact path (onnxruntime float64 graph) on an MLP 784-56-10,
 * single and batched, against onnxruntime running the float model on the same inputs in the same
 * run, plus the TypeScript evaluator. Run: npx ts-node --transpile-only bench/engine.bench.ts
 * Prefers test/fixtures/mnist/mnist-mlp.onnx; falls back to a random-weight MLP and says so.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import * as ort from 'onnxruntime-node';
import { OnnxRuntimeBackend, evaluateFixed, importOnnx, quantize, quantizeInput } from '../src/engine';
import { buildRandomMlp, seededValues } from '../src/engine/testing/float-model-builder';

const MNIST_MODEL_PATH = join(__dirname, '../test/fixtures/mnist/mnist-mlp.onnx');
const BATCH_SIZES = [1, 64, 256];
const MIN_BENCH_MS = 1500;

async function timeIt(label: string, samplesPerCall: number, fn: () => unknown): Promise<{ label: string; usPerCall: number; samplesPerSecond: number }> {
  for (let i = 0; i < 5; i++) await fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < MIN_BENCH_MS) {
    await fn();
    calls++;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const usPerCall = (elapsedMs * 1000) / calls;
  return { label, usPerCall, samplesPerSecond: (samplesPerCall * 1e6) / usPerCall };
}

async function main(): Promise<void> {
  const real = existsSync(MNIST_MODEL_PATH);
  const bytes = real ? readFileSync(MNIST_MODEL_PATH) : buildRandomMlp([784, 56, 10]);
  console.log(real ? `model: ${MNIST_MODEL_PATH} (trained MNIST MLP 784-56-10)` : 'model: RANDOM-WEIGHT MLP 784-56-10 built in the bench (mnist-mlp.onnx not found)');
  const imported = importOnnx(bytes);
  const maxBatch = Math.max(...BATCH_SIZES);
  const inputs = Array.from({ length: maxBatch }, (_, n) => seededValues(784, n + 1, 0.5).map((v) => v + 0.5));
  const model = quantize(imported, { calibration: inputs.slice(0, 16) });
  const exact = await OnnxRuntimeBackend.create(model);
  const floatSession = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  console.log(`F = ${model.fractionBits}, max accumulator bound ${model.bounds.maxAccumulator} < 2^52, exact provider: ${exact.provider}, cpu threads: default`);

  const fixed = inputs.map((x) => quantizeInput(model, x));
  const rows: Awaited<ReturnType<typeof timeIt>>[] = [];
  for (const batch of BATCH_SIZES) {
    const flatFixed = new Float64Array(batch * 784);
    const flatFloat = new Float32Array(batch * 784);
    for (let n = 0; n < batch; n++) {
      flatFixed.set(fixed[n], n * 784);
      flatFloat.set(inputs[n], n * 784);
    }
    const floatFeeds = { [imported.info.inputName]: new ort.Tensor('float32', flatFloat, [batch, 784]) };
    rows.push(await timeIt(`ORT exact float64, batch ${batch}`, batch, () => exact.runFixed(flatFixed, batch)));
    rows.push(await timeIt(`ORT float32 model, batch ${batch}`, batch, () => floatSession.run(floatFeeds)));
  }
  rows.push(await timeIt('TS evaluator (no trace), 1 sample', 1, () => evaluateFixed(model, fixed[0], { trace: false })));
  rows.push(await timeIt('TS evaluator (with trace), 1 sample', 1, () => evaluateFixed(model, fixed[0])));

  const check = await exact.runFixed(fixed[0], 1);
  const reference = evaluateFixed(model, fixed[0]).outputFixed.map(Number);
  console.log(`exact path == evaluator on sample 0: ${Array.from(check).every((v, i) => v === reference[i])}`);
  console.log('');
  console.log('| path | us per call | samples/s |');
  console.log('| --- | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.label} | ${r.usPerCall.toFixed(1)} | ${Math.round(r.samplesPerSecond).toLocaleString('en-US')} |`);
  await exact.release();
  await floatSession.release();
}

void main();
