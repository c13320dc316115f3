/** quantize: pick the largest F in [8, 16] whose static bounds stay below 2^52, then freeze the model. */
import {
  ACCUMULATOR_LIMIT_EXCLUSIVE,
  DEFAULT_CALIBRATION_MAX_ABS,
  MAX_FRACTION_BITS,
  MIN_CALIBRATION_MAX_ABS,
  MIN_FRACTION_BITS,
  QUANTIZED_MODEL_FORMAT_VERSION,
} from '../engine.constants';
import { EngineError } from '../engine.errors';
import { toIntLike } from '../fixed-point/fixed-point-arith';
import { numel } from '../onnx/const-tensor';
import type { ImportedModel } from '../onnx/imported-model.types';
import type { QuantizedModel, QuantStep } from './quantized-model.types';
import { quantizeStep } from './quantize-steps';
import { computeStaticBounds } from './static-bounds';

export interface QuantizeOptions {
  /** Calibration inputs (flattened, real units); they set the input bound. */
  calibration?: number[][];
  /** Force a fraction F instead of the largest that fits (still checked against the bounds). */
  fractionBits?: number;
}

const LIMIT = BigInt(ACCUMULATOR_LIMIT_EXCLUSIVE);

/** max |x| over the calibration inputs, validated against the model's input size. */
export function calibrationMaxAbs(imported: ImportedModel, calibration: number[][] | undefined): number {
  if (!calibration || calibration.length === 0) return DEFAULT_CALIBRATION_MAX_ABS;
  const expected = numel(imported.info.inputShape);
  let maxAbs = 0;
  calibration.forEach((input, n) => {
    if (input.length !== expected) {
      throw new EngineError('INPUT_SHAPE', `calibration input ${n} has ${input.length} values, the model expects ${expected} (shape ${imported.info.inputShape.join('x')})`);
    }
    for (const v of input) {
      if (!Number.isFinite(v)) throw new EngineError('NON_FINITE_INPUT', `calibration input ${n} contains ${v}`);
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
  });
  return maxAbs;
}

/** Smallest power of two strictly greater than 2 * max(maxAbs, 2^-8) (real units). */
export function inputBoundReal(maxAbs: number): number {
  const target = 2 * Math.max(maxAbs, MIN_CALIBRATION_MAX_ABS);
  let exponent = Math.floor(Math.log2(target));
  while (2 ** exponent > target) exponent--;
  while (2 ** exponent <= target) exponent++;
  return 2 ** exponent;
}

interface Attempt {
  steps: QuantStep[];
  tensors: bigint[];
  accumulators: bigint[];
  /** Index of the first step (or -1 for the input) whose bound reaches the limit, or null. */
  failure: { index: number; bound: bigint } | null;
}

function attempt(imported: ImportedModel, boundReal: number, fractionBits: number): Attempt {
  const steps = imported.steps.map((s) => quantizeStep(s, fractionBits));
  const inputBound = BigInt(boundReal * 2 ** fractionBits);
  const { tensors, accumulators } = computeStaticBounds(steps, inputBound, fractionBits);
  let failure: Attempt['failure'] = inputBound >= LIMIT ? { index: -1, bound: inputBound } : null;
  for (let i = 0; i < steps.length && !failure; i++) {
    const worst = accumulators[i] > tensors[i + 1] ? accumulators[i] : tensors[i + 1];
    if (worst >= LIMIT) failure = { index: i, bound: worst };
  }
  return { steps, tensors, accumulators, failure };
}

function refuse(imported: ImportedModel, failed: Attempt): never {
  const failure = failed.failure!;
  const where = failure.index < 0 ? 'the model input' : `step ${failure.index} (${imported.steps[failure.index].onnxOp} at node "${imported.steps[failure.index].name}")`;
  throw new EngineError(
    'MODEL_TOO_LARGE_RANGE',
    `even with F = ${MIN_FRACTION_BITS} the static bound of ${where} is ${failure.bound} >= 2^52; the model's range is too large`,
    { step: failure.index, bound: failure.bound.toString() },
  );
}

export function quantize(imported: ImportedModel, options: QuantizeOptions = {}): QuantizedModel {
  // A model with no step has nothing to commit a trace of, prove or dispute (its output would be
  // its input). importOnnx gives such a model one copy step; anything else is refused here.
  if (imported.steps.length === 0) {
    throw new EngineError('UNSUPPORTED_MODEL', 'the model computes nothing: after normalization it has no step (its output is its input)');
  }
  const boundReal = inputBoundReal(calibrationMaxAbs(imported, options.calibration));
  const forced = options.fractionBits;
  if (forced !== undefined && !(Number.isInteger(forced) && forced >= MIN_FRACTION_BITS && forced <= MAX_FRACTION_BITS)) {
    throw new EngineError('INVALID_ARGUMENT', `fractionBits must be an integer in [${MIN_FRACTION_BITS}, ${MAX_FRACTION_BITS}], got ${forced}`);
  }
  let chosen: Attempt | undefined;
  let fractionBits = forced ?? MAX_FRACTION_BITS;
  for (; fractionBits >= (forced ?? MIN_FRACTION_BITS); fractionBits--) {
    const result = attempt(imported, boundReal, fractionBits);
    if (!result.failure) {
      chosen = result;
      break;
    }
    if (fractionBits === (forced ?? MIN_FRACTION_BITS)) refuse(imported, result);
  }
  const { steps, tensors, accumulators } = chosen!;
  const maxAccumulator = accumulators.reduce((a, b) => (b > a ? b : a), 0n);
  return {
    formatVersion: QUANTIZED_MODEL_FORMAT_VERSION,
    fractionBits,
    inputShape: imported.info.inputShape.slice(),
    outputShape: imported.info.outputShape.slice(),
    inputBound: toIntLike(tensors[0]),
    inputBoundReal: boundReal,
    steps,
    bounds: {
      tensors: tensors.map(toIntLike),
      accumulators: accumulators.map(toIntLike),
      maxAccumulator: toIntLike(maxAccumulator),
      limitExclusive: toIntLike(LIMIT),
    },
    source: {
      inputName: imported.info.inputName,
      outputName: imported.info.outputName,
      onnxOps: imported.info.onnxOps.slice(),
      opsetVersion: imported.info.opsetVersion,
    },
  };
}
