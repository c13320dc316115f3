/**
 * Engine benchmark: throughput of the exact path (onnxruntime float64 graph) on an MLP 784-56-10,
 * single and batched, against onnxruntime running the float model on the same inputs in the same
 * run, plus the TypeScript evaluator, plus the traced path a worker runs (every step's output
 * exposed, then the output and trace commitments) against runFixedBatch at batch 64. Run: npx ts-node --transpile-only bench/engine.bench.ts
 * Prefers test/fixtures/mnist/mnist-mlp.onnx; falls back to a random-weight MLP and says so.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import * as ort from 'onnxruntime-node';
import { encodeAbiParameters, keccak256 } from 'viem';
import { OnnxRuntimeBackend, commitTensor, commitTrace, evaluateFixed, importOnnx, quantize, quantizeInput } from '../src/engine';
import { buildRandomMlp, seededValues } from '../src/engine/testing/float-model-builder';

const MNIST_MODEL_PATH = join(__dirname, '../test/fixtures/mnist/mnist-mlp.onnx');
const BATCH_SIZES = [1, 64, 256];
const TRACED_BATCH_SIZE = 64;
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
  const tracedBatch = fixed.slice(0, TRACED_BATCH_SIZE);
  const tracedRows = [
    await timeIt(`runFixedBatch, batch ${TRACED_BATCH_SIZE}`, TRACED_BATCH_SIZE, () => exact.runFixedBatch(tracedBatch)),
    await timeIt(`runTraced (step outputs, no hashing), batch ${TRACED_BATCH_SIZE}`, TRACED_BATCH_SIZE, () => exact.runTraced(tracedBatch)),
    await timeIt(`runCommitted (runTraced + output and trace commitments), batch ${TRACED_BATCH_SIZE}`, TRACED_BATCH_SIZE, () => exact.runCommitted(tracedBatch)),
  ];
  const [oneTrace] = (await exact.runTraced(fixed.slice(0, 1))).trace;
  const stepValues = oneTrace.reduce((a, s) => a + s.length, 0);
  tracedRows.push(await timeIt(`commitTrace alone (${oneTrace.length} steps, ${stepValues} values), 1 sample`, 1, () => commitTrace(fixed[0], oneTrace)));
  tracedRows.push(
    await timeIt(`viem encodeAbiParameters + keccak256 (the former commitTensor) over the same steps, 1 sample`, 1, () =>
      oneTrace.map((v) => keccak256(encodeAbiParameters([{ type: 'int256[]' }], [Array.from(v, (x) => BigInt(x))]))),
    ),
  );
  tracedRows.push(await timeIt(`commitTensor of one ${fixed[0].length}-value input (a worker's input check), 1 sample`, 1, () => commitTensor(fixed[0])));
  rows.push(...tracedRows);
  rows.push(await timeIt('TS evaluator (no trace), 1 sample', 1, () => evaluateFixed(model, fixed[0], { trace: false })));
  rows.push(await timeIt('TS evaluator (with trace), 1 sample', 1, () => evaluateFixed(model, fixed[0])));

  const committed = (await exact.runCommitted(fixed.slice(0, 1)))[0];
  const evaluated = evaluateFixed(model, fixed[0]);
  console.log(`traced path == evaluator trace commitment on sample 0: ${committed.traceCommitment === commitTrace(evaluated.inputFixed, evaluated.trace.map((t) => t.values))}`);
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
