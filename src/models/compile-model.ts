import {
  accuracyReport,
  commitModel,
  defaultAccuracyInputs,
  importOnnx,
  quantize,
  type QuantizedModel,
} from '../engine';
import { MAX_DISPUTE_MOVE_GAS, disputeGasReport, type MoveGasEstimate } from '../chain/dispute-gas';
import { ModelsError } from './models.errors';

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
  /** The costliest dispute move of the model's results (src/chain/dispute-gas.ts), within the budget. */
  costliestDisputeMove: MoveGasEstimate;
}

/**
 * Refuses a model for optimistic mode when one of its dispute moves (or the reveal of a result)
 * may need more than MAX_DISPUTE_MOVE_GAS: nobody could post that move within a block, so an honest
 * party would lose on time (docs/disputes.md, "The bound"). Every model is registered for
 * optimistic mode, so such a model is refused.
 */
export function checkDisputeBudget(quantized: QuantizedModel): MoveGasEstimate {
  const { costliest } = disputeGasReport(quantized);
  if (costliest.gas > MAX_DISPUTE_MOVE_GAS) {
    const where = costliest.step === undefined ? '' : ` at step ${costliest.step} (${costliest.op})`;
    throw new ModelsError(
      'DISPUTE_MOVE_OVER_BUDGET',
      `the dispute move ${costliest.move}${where} may need ${costliest.gas} gas; optimistic mode allows at most ` +
        `${MAX_DISPUTE_MOVE_GAS} gas per move (MAX_DISPUTE_MOVE_GAS), so the model is refused`,
      { move: costliest.move, step: costliest.step ?? null, op: costliest.op ?? null, gas: costliest.gas, budget: MAX_DISPUTE_MOVE_GAS },
    );
  }
  return costliest;
}

/**
 * ONNX bytes to the canonical quantized model, its commitment and its accuracy against
 * onnxruntime on the float model (the calibration inputs, or generated ones without them).
 * Pure apart from running onnxruntime; every engine error propagates with its code.
 */
export async function compileModel(bytes: Uint8Array, calibration?: number[][]): Promise<CompiledModel> {
  const imported = importOnnx(bytes);
  const quantized = quantize(imported, { calibration });
  const costliestDisputeMove = checkDisputeBudget(quantized);
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
    costliestDisputeMove,
  };
}
