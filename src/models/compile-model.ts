import {
  accuracyReport,
  commitModel,
  defaultAccuracyInputs,
  importOnnx,
  quantize,
  type QuantizedModel,
} from '../engine';

export interface CompiledModel {
  quantized: QuantizedModel;
  commitment: `0x${string}`;
  summary: {
    ops: string[];
    parameterCount: number;
    inputShape: number[];
    outputShape: number[];
    fractionBits: number;
  };
  accuracy: { samples: number; maxAbsError: number; argmaxAgreement: number };
}

/**
 * ONNX bytes to the canonical quantized model, its commitment and its accuracy against
 * onnxruntime on the float model (the calibration inputs, or generated ones without them).
 * Pure apart from running onnxruntime; every engine error propagates with its code.
 */
export async function compileModel(bytes: Uint8Array, calibration?: number[][]): Promise<CompiledModel> {
  const imported = importOnnx(bytes);
  const quantized = quantize(imported, { calibration });
  const inputLength = imported.info.inputShape.reduce((a, b) => a * b, 1);
  const samples = calibration && calibration.length > 0 ? calibration : defaultAccuracyInputs(inputLength);
  const report = await accuracyReport(imported, quantized, samples);
  return {
    quantized,
    commitment: commitModel(quantized).commitment,
    summary: {
      ops: imported.info.steps,
      parameterCount: imported.info.parameterCount,
      inputShape: imported.info.inputShape,
      outputShape: imported.info.outputShape,
      fractionBits: quantized.fractionBits,
    },
    accuracy: { samples: report.sampleCount, maxAbsError: report.maxAbsError, argmaxAgreement: report.argmaxAgreement },
  };
}
