/** Build the float64 onnxruntime graph of a quantized model and state why it is exact. */
import { ACCUMULATOR_LIMIT_EXCLUSIVE } from '../engine.constants';
import { intLikeToBig } from '../fixed-point/fixed-point-arith';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { emitStep } from './exact-graph-emitters';
import { type GraphValue, OnnxGraphBuilder } from './onnx-graph-builder';

export const EXACT_GRAPH_INPUT_NAME = 'input_fixed';
export const EXACT_GRAPH_OUTPUT_NAME = 'output_fixed';

/** Name of the graph output holding step i's output tensor (graphs built with exposeSteps only). */
export function exactGraphStepOutputName(step: number): string {
  return `step_output_${step}`;
}

export interface ExactGraphOptions {
  /**
   * Also expose every step's output as a graph output (`step_output_<i>`, after `output_fixed`),
   * for traced runs. Off by default: the default graph has the single output `output_fixed`.
   */
  exposeSteps?: boolean;
}

/** ONNX bytes computing the semantics on [N, inputLength] float64 integers. */
export function buildExactGraph(model: QuantizedModel, options: ExactGraphOptions = {}): Uint8Array {
  const b = new OnnxGraphBuilder();
  const lengths = [model.inputShape.reduce((a, v) => a * v, 1)];
  const names = [EXACT_GRAPH_INPUT_NAME];
  for (const step of model.steps) {
    names.push(emitStep({ b, fractionBits: model.fractionBits }, step, step.inputs.map((i) => names[i]), step.inputs.map((i) => lengths[i])));
    lengths.push(step.outShape.reduce((a, v) => a * v, 1));
  }
  b.node('Identity', [names[names.length - 1]], {}, EXACT_GRAPH_OUTPUT_NAME);
  const input: GraphValue = { name: EXACT_GRAPH_INPUT_NAME, width: lengths[0] };
  const output: GraphValue = { name: EXACT_GRAPH_OUTPUT_NAME, width: lengths[lengths.length - 1] };
  if (!options.exposeSteps) return b.encode(input, output);
  // An Identity per step: a layout-only step returns its input's name, which may already be a
  // graph input or another step's output, and a graph output needs a name of its own.
  const stepOutputs = model.steps.map((_, i): GraphValue => {
    const name = exactGraphStepOutputName(i);
    b.node('Identity', [names[i + 1]], {}, name);
    return { name, width: lengths[i + 1] };
  });
  return b.encode(input, [output, ...stepOutputs]);
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
