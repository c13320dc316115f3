/** Accuracy of the quantized model against onnxruntime running the float model. */
import { DEFAULT_ACCURACY_SAMPLE_COUNT, DEFAULT_CALIBRATION_MAX_ABS } from '../engine.constants';
import { evaluate } from '../evaluator/evaluator';
import { checkedElementCount } from '../onnx/import-limits';
import type { ImportedModel } from '../onnx/imported-model.types';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { FloatModelRunner } from './float-model-runner';

export interface SampleAccuracy {
  maxAbsError: number;
  argmaxMatch: boolean;
}

export interface AccuracyReport {
  sampleCount: number;
  /** max over samples and outputs of |dequantized - float|. */
  maxAbsError: number;
  meanAbsError: number;
  /** Fraction of samples whose argmax (first maximum) agrees. */
  argmaxAgreement: number;
  fractionBits: number;
  samples: SampleAccuracy[];
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Deterministic inputs uniform in [-1, 1] (mulberry32, seed 1) used when no calibration exists. */
export function defaultAccuracyInputs(length: number, count = DEFAULT_ACCURACY_SAMPLE_COUNT): number[][] {
  checkedElementCount([length], 'an accuracy input');
  let state = 1;
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Array.from({ length }, () => (2 * next() - 1) * DEFAULT_CALIBRATION_MAX_ABS));
}

/**
 * The shapes come from the model's header: they are checked against MAX_TENSOR_ELEMENTS before
 * onnxruntime or the evaluator allocates for them (importOnnx checks them too; this report may be
 * handed an ImportedModel from elsewhere).
 */
export async function accuracyReport(imported: ImportedModel, model: QuantizedModel, inputs: readonly (readonly number[])[]): Promise<AccuracyReport> {
  checkedElementCount(imported.info.inputShape, `input "${imported.info.inputName}"`);
  checkedElementCount(imported.info.outputShape, `output "${imported.info.outputName}"`);
  const runner = await FloatModelRunner.create(imported);
  try {
    const samples: SampleAccuracy[] = [];
    let totalError = 0;
    let totalValues = 0;
    for (const input of inputs) {
      const expected = await runner.run(input);
      const actual = evaluate(model, input, { trace: false }).output;
      let maxAbsError = 0;
      actual.forEach((v, i) => {
        const error = Math.abs(v - expected[i]);
        maxAbsError = Math.max(maxAbsError, error);
        totalError += error;
      });
      totalValues += actual.length;
      samples.push({ maxAbsError, argmaxMatch: argmax(actual) === argmax(expected) });
    }
    return {
      sampleCount: samples.length,
      maxAbsError: samples.reduce((m, s) => Math.max(m, s.maxAbsError), 0),
      meanAbsError: totalValues === 0 ? 0 : totalError / totalValues,
      argmaxAgreement: samples.length === 0 ? 1 : samples.filter((s) => s.argmaxMatch).length / samples.length,
      fractionBits: model.fractionBits,
      samples,
    };
  } finally {
    await runner.release();
  }
}
