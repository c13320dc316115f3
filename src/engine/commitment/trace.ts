/**
 * A whole trace of one evaluation, as both parties of a dispute hold it (docs/disputes.md):
 * tensor 0 the quantized input, tensor i + 1 the output of step i, each as integers, with the
 * v2 commitments the result leaf carries. The service's defender and `verity challenger` rebuild
 * it from the model and the input (evaluation is deterministic), so nothing per inference has to
 * be stored to answer a dispute.
 */
import type { Hex } from 'viem';
import { evaluateFixed } from '../evaluator/evaluator';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { commitTensor, traceCommitmentFromRoots, traceTensorRoots } from './tensor-commitment';

export interface Trace {
  /** Tensor 0 the quantized input, tensor i + 1 step i's output. */
  tensors: bigint[][];
  /** The tensor root of every tensor (the leaves of the trace tree). */
  roots: Hex[];
  traceCommitment: Hex;
  input: bigint[];
  output: bigint[];
  inputCommitment: Hex;
  outputCommitment: Hex;
}

/** The trace and its commitments, from every tensor (input first) as the evaluator yields them. */
export function traceFromTensors(tensors: readonly ArrayLike<number>[]): Trace {
  if (tensors.length < 2) throw new RangeError('a trace holds the input and at least one step output');
  const asBigInt = tensors.map((t) => Array.from(t, (v) => BigInt(v)));
  const roots = traceTensorRoots(tensors[0], tensors.slice(1));
  const input = asBigInt[0];
  const output = asBigInt[asBigInt.length - 1];
  return {
    tensors: asBigInt,
    roots,
    traceCommitment: traceCommitmentFromRoots(roots),
    input,
    output,
    inputCommitment: commitTensor(input),
    outputCommitment: commitTensor(output),
  };
}

/** The engine's trace of a quantized (fixed-point) input. */
export function traceOf(model: QuantizedModel, inputFixed: Float64Array): Trace {
  const { trace } = evaluateFixed(model, inputFixed);
  return traceFromTensors([inputFixed, ...trace.map((entry) => entry.values)]);
}
