/**
 * A quantized model decoded once for execution: IntLike arrays become Float64Arrays of safe
 * integers and window index maps are precomputed. Cached per model object.
 */
import { QUANTIZED_MODEL_FORMAT_VERSION } from '../engine.constants';
import { EngineError } from '../engine.errors';
import { intLikeArrayToFloat64, intLikeToSafeNumber } from '../fixed-point/fixed-point-arith';
import { convPatchMap, poolWindowMap } from '../geometry/window-geometry';
import type { QuantizedModel, QuantStep } from '../quantize/quantized-model.types';

export interface PreparedStep {
  step: QuantStep;
  /** Weights / scale / values / multipliers, depending on the op. */
  params: Float64Array;
  /** Bias / shift, depending on the op. */
  extra: Float64Array;
  /** Window map (conv: im2col, pools: per output) or gather indices. */
  map: Int32Array;
  /** Static bounds: max |output| and max |accumulator|. */
  outputBound: number;
  accumulatorBound: number;
}

export interface PreparedModel {
  model: QuantizedModel;
  inputBound: number;
  inputLength: number;
  steps: PreparedStep[];
}

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);

function prepareStep(step: QuantStep, index: number, model: QuantizedModel): PreparedStep {
  const what = `step ${index} (${step.op})`;
  const f64 = (values: (number | string)[]): Float64Array => intLikeArrayToFloat64(values, what);
  const prepared: PreparedStep = {
    step,
    params: EMPTY_F64,
    extra: EMPTY_F64,
    map: EMPTY_I32,
    outputBound: intLikeToSafeNumber(model.bounds.tensors[index + 1], `${what} output bound`),
    accumulatorBound: intLikeToSafeNumber(model.bounds.accumulators[index], `${what} accumulator bound`),
  };
  switch (step.op) {
    case 'linear':
    case 'conv':
      prepared.params = f64(step.weights);
      prepared.extra = f64(step.bias);
      if (step.op === 'conv') prepared.map = convPatchMap(step.geometry);
      break;
    case 'affine':
      prepared.params = f64(step.scale);
      prepared.extra = f64(step.shift);
      break;
    case 'addConst':
      prepared.params = f64(step.values);
      break;
    case 'leakyRelu':
      prepared.params = f64([step.alpha]);
      break;
    case 'avgPool':
      prepared.params = f64(step.multipliers);
      prepared.map = poolWindowMap(step.geometry);
      break;
    case 'maxPool':
      prepared.map = poolWindowMap(step.geometry);
      break;
    case 'gather':
      prepared.params = f64([step.padValue]);
      prepared.map = Int32Array.from(step.indices);
      break;
    case 'add':
    case 'sub':
    case 'relu':
    case 'clip':
    case 'reshape':
    case 'sigmoid':
    case 'tanh':
    case 'softmax':
    case 'mul':
    case 'abs':
    case 'sign':
    case 'floor':
    case 'ceil':
    case 'round':
    case 'compare':
    case 'compareConst':
    case 'pwl':
    case 'reduce':
    case 'sqrt':
    case 'div':
    case 'reciprocal':
    case 'matmul':
      break;
  }
  return prepared;
}

const CACHE = new WeakMap<QuantizedModel, PreparedModel>();

export function prepareModel(model: QuantizedModel): PreparedModel {
  const cached = CACHE.get(model);
  if (cached) return cached;
  if (model.formatVersion !== QUANTIZED_MODEL_FORMAT_VERSION) {
    throw new EngineError('INVALID_QUANTIZED_MODEL', `quantized model format ${model.formatVersion} is not supported (expected ${QUANTIZED_MODEL_FORMAT_VERSION})`);
  }
  if (model.bounds.tensors.length !== model.steps.length + 1 || model.bounds.accumulators.length !== model.steps.length) {
    throw new EngineError('INVALID_QUANTIZED_MODEL', 'quantized model bounds do not match its steps');
  }
  const prepared: PreparedModel = {
    model,
    inputBound: intLikeToSafeNumber(model.inputBound, 'input bound'),
    inputLength: model.inputShape.reduce((a, b) => a * b, 1),
    steps: model.steps.map((s, i) => prepareStep(s, i, model)),
  };
  CACHE.set(model, prepared);
  return prepared;
}
