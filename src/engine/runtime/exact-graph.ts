/** Build the float64 onnxruntime graph of a quantized model and state why it is exact. */
import { ACCUMULATOR_LIMIT_EXCLUSIVE } from '../engine.constants';
import { intLikeToBig } from '../fixed-point/fixed-point-arith';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { emitStep } from './exact-graph-emitters';
import { OnnxGraphBuilder } from './onnx-graph-builder';

export const EXACT_GRAPH_INPUT_NAME = 'input_fixed';
export const EXACT_GRAPH_OUTPUT_NAME = 'output_fixed';

/** ONNX bytes computing the semantics on [N, inputLength] float64 integers. */
export function buildExactGraph(model: QuantizedModel): Uint8Array {
  const b = new OnnxGraphBuilder();
  const lengths = [model.inputShape.reduce((a, v) => a * v, 1)];
  const names = [EXACT_GRAPH_INPUT_NAME];
  for (const step of model.steps) {
    names.push(emitStep({ b, fractionBits: model.fractionBits }, step, step.inputs.map((i) => names[i]), step.inputs.map((i) => lengths[i])));
    lengths.push(step.outShape.reduce((a, v) => a * v, 1));
  }
  b.node('Identity', [names[names.length - 1]], {}, EXACT_GRAPH_OUTPUT_NAME);
  return b.encode({ name: EXACT_GRAPH_INPUT_NAME, width: lengths[0] }, { name: EXACT_GRAPH_OUTPUT_NAME, width: lengths[lengths.length - 1] });
}

export interface ExactnessStatement {
  holds: boolean;
  maxAccumulator: string;
  limitExclusive: string;
  /** Step whose bound is the largest (-1: no arithmetic step). */
  worstStep: number;
  text: string;
}

/** The static proof obligation: every float64 intermediate is an integer of magnitude < 2^52. */
export function exactnessStatement(model: QuantizedModel): ExactnessStatement {
  const all = [...model.bounds.tensors, ...model.bounds.accumulators].map(intLikeToBig);
  const max = all.reduce((a, v) => (v > a ? v : a), 0n);
  const accumulators = model.bounds.accumulators.map(intLikeToBig);
  const worstStep = accumulators.reduce((best, v, i) => (v > (best < 0 ? 0n : accumulators[best]) ? i : best), -1);
  const limit = BigInt(ACCUMULATOR_LIMIT_EXCLUSIVE);
  const holds = max < limit;
  const where = worstStep >= 0 ? ` (largest at step ${worstStep}, ${model.steps[worstStep].onnxOp} node "${model.steps[worstStep].name}")` : '';
  const text = holds
    ? `For every input with |q(x)| <= ${model.inputBound} (|x| <= ${model.inputBoundReal}), every tensor value and every ` +
      `partial sum in any order is an integer of magnitude <= ${max}${where} < 2^52, by interval arithmetic over the ` +
      `quantized graph (sums of absolute values); float64 represents all of them exactly, so the float64 graph equals the integer semantics.`
    : `The static bound ${max}${where} reaches 2^52: float64 exactness is NOT proven for this model.`;
  return { holds, maxAccumulator: max.toString(), limitExclusive: limit.toString(), worstStep, text };
}
