/** The canonical evaluator: integer-exact, one step at a time, with a full trace. */
import { EngineError } from '../engine.errors';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { type KernelContext, runKernel } from './evaluator-kernels';
import { checkFixedInput, dequantize, quantizeInput } from './input-quantize';
import { prepareModel } from './prepared-model';

/** The tensor after one step (integers at 2^F, except layout-only steps which copy them). */
export interface TraceEntry {
  step: number;
  op: string;
  name: string;
  shape: number[];
  values: Float64Array;
}

export interface EvaluationResult {
  /** Dequantized output: outputFixed / 2^F. */
  output: number[];
  outputFixed: bigint[];
  inputFixed: Float64Array;
  /** Step i's output tensor at index i, in order (empty when options.trace is false). */
  trace: TraceEntry[];
}

export interface EvaluateOptions {
  trace?: boolean;
}

/** Evaluate a quantized input (integers at 2^F); the input is checked against the input bound. */
export function evaluateFixed(model: QuantizedModel, inputFixed: Float64Array, options: EvaluateOptions = {}): EvaluationResult {
  const prepared = prepareModel(model);
  checkFixedInput(model, inputFixed);
  const ctx: KernelContext = {
    fractionBits: model.fractionBits,
    half: 2 ** (model.fractionBits - 1),
    inverseScale: 2 ** -model.fractionBits,
  };
  const tensors: Float64Array[] = [inputFixed];
  const trace: TraceEntry[] = [];
  prepared.steps.forEach((p, index) => {
    const values = runKernel(p, p.step.inputs.map((i) => tensors[i]), ctx);
    for (let i = 0; i < values.length; i++) {
      if (!(Math.abs(values[i]) <= p.outputBound)) {
        throw new EngineError('OVERFLOW', `value ${values[i]} exceeds the static bound ${p.outputBound} after ${p.step.onnxOp} node "${p.step.name}"`, {
          step: index,
          node: p.step.name,
        });
      }
    }
    tensors.push(values);
    if (options.trace !== false) trace.push({ step: index, op: p.step.op, name: p.step.name, shape: p.step.outShape, values });
  });
  const last = tensors[tensors.length - 1];
  return {
    output: dequantize(model, last),
    outputFixed: Array.from(last, (v) => BigInt(v)),
    inputFixed,
    trace,
  };
}

/** Quantize a real input (refusing bad ones) and evaluate it. */
export function evaluate(model: QuantizedModel, input: readonly number[], options: EvaluateOptions = {}): EvaluationResult {
  return evaluateFixed(model, quantizeInput(model, input), options);
}
