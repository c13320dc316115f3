/**
 * Fault injection for drills and the adversarial tests (`verity worker --fault wrong-output`): a
 * worker that signs a wrong result whose trace is still internally consistent, the hardest lie
 * for a challenger: one value of one step's output is moved and every later step recomputed with
 * the engine's kernels, so the leaf commits to the wrong output and to a trace that agrees with
 * it everywhere except at that one step. An honest deployment never sets it; the worker logs a
 * warning with every faulty result.
 */
import {
  runKernel,
  type KernelContext,
  prepareModel,
  traceFromTensors,
  type Trace,
  type QuantizedModel,
} from '../engine';

export const WORKER_FAULTS = ['none', 'wrong-output'] as const;
export type WorkerFault = (typeof WORKER_FAULTS)[number];

export interface Tampering {
  /** The step whose output is changed. */
  step: number;
  /** The flat index of the changed value in that output. */
  element: number;
  /** Added to the value (default 1). */
  delta?: number;
  /** Recompute every later step from the changed tensor with the engine's kernels (else keep them). */
  recompute: boolean;
}

/**
 * A dishonest trace: value `element` of step `step`'s output moved by `delta`; later tensors
 * either recomputed from it (a consistent lie: the output changes too, unless a later step masks
 * it) or kept (an inconsistent trace whose output is the honest one).
 */
export function tamperedTrace(model: QuantizedModel, honest: Trace, tampering: Tampering): Trace {
  const tensors = honest.tensors.map((t) => Float64Array.from(t, (v) => Number(v)));
  const changed = tensors[tampering.step + 1];
  if (!changed) throw new RangeError(`the model has no step ${tampering.step}`);
  if (tampering.element >= changed.length)
    throw new RangeError(`step ${tampering.step} has ${changed.length} values, not ${tampering.element + 1}`);
  changed[tampering.element] += tampering.delta ?? 1;
  if (tampering.recompute) {
    const prepared = prepareModel(model);
    const ctx: KernelContext = {
      fractionBits: model.fractionBits,
      half: 2 ** (model.fractionBits - 1),
      inverseScale: 2 ** -model.fractionBits,
    };
    for (let i = tampering.step + 1; i < prepared.steps.length; i++) {
      const p = prepared.steps[i];
      tensors[i + 1] = Float64Array.from(runKernel(p, p.step.inputs.map((t) => tensors[t]), ctx));
    }
  }
  return traceFromTensors(tensors);
}

/**
 * The wrong result `--fault wrong-output` signs: the first step's first positive value (or its
 * first value) moved by one unit and every later step recomputed; when a later step masks the
 * change, the output's first value moved instead, so the output is always wrong.
 */
export function wrongOutputTrace(model: QuantizedModel, honest: Trace): Trace {
  const first = honest.tensors[1];
  const element = Math.max(first.findIndex((v) => v > 0n), 0);
  const lie = tamperedTrace(model, honest, { step: 0, element, delta: 1, recompute: true });
  if (lie.outputCommitment !== honest.outputCommitment) return lie;
  return tamperedTrace(model, honest, { step: honest.tensors.length - 2, element: 0, delta: 1, recompute: false });
}
