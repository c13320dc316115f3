/**
 * Specs of new ops: a small float model imported, quantized and evaluated, against onnxruntime
 * running the float model on the same inputs; and the float64 exact graph against the evaluator.
 */
import { FloatModelRunner } from '../accuracy/float-model-runner';
import { evaluate } from '../evaluator/evaluator';
import { importOnnx } from '../onnx/onnx-import';
import type { ImportedModel } from '../onnx/imported-model.types';
import { quantize } from '../quantize/quantize';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { OnnxRuntimeBackend } from '../runtime/onnxruntime-backend';

export interface FloatComparison {
  imported: ImportedModel;
  model: QuantizedModel;
  /** max over inputs and outputs of |evaluator - float|, real units. */
  maxAbsError: number;
  /** The evaluator's outputs (real units) and the float model's, per input. */
  quantized: number[][];
  float: number[][];
}

/** Import and quantize `bytes` (calibrated on `inputs`), evaluate every input, and run the float model. */
export async function compareWithFloat(bytes: Uint8Array, inputs: number[][], fractionBits?: number): Promise<FloatComparison> {
  const imported = importOnnx(bytes);
  const model = quantize(imported, { calibration: inputs, fractionBits });
  const runner = await FloatModelRunner.create(imported);
  try {
    const float = await runner.runMany(inputs);
    const quantized = inputs.map((x) => evaluate(model, x, { trace: false }).output);
    let maxAbsError = 0;
    quantized.forEach((q, n) => q.forEach((v, i) => (maxAbsError = Math.max(maxAbsError, Math.abs(v - float[n][i])))));
    return { imported, model, maxAbsError, quantized, float };
  } finally {
    await runner.release();
  }
}

/** The fixed-point outputs of the float64 onnxruntime graph and of the evaluator, per input. */
export async function exactGraphAndEvaluator(model: QuantizedModel, inputs: number[][]): Promise<{ graph: bigint[][]; evaluator: bigint[][] }> {
  const backend = await OnnxRuntimeBackend.create(model, { provider: 'cpu' });
  try {
    const graph = (await backend.run(inputs)).outputFixed;
    return { graph, evaluator: inputs.map((x) => evaluate(model, x, { trace: false }).outputFixed) };
  } finally {
    await backend.release();
  }
}
