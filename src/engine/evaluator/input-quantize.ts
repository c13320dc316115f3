/** Input validation and quantization at the edge: length, finiteness, input bound. */
import { EngineError } from '../engine.errors';
import { quantizeReal } from '../fixed-point/fixed-point-arith';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { prepareModel } from './prepared-model';

/** q(x, F) for every value, refusing wrong lengths, NaN/Infinity and values beyond the input bound. */
export function quantizeInput(model: QuantizedModel, input: readonly number[]): Float64Array {
  const prepared = prepareModel(model);
  if (!Array.isArray(input) || input.length !== prepared.inputLength) {
    const got = Array.isArray(input) ? `${input.length} values` : `a ${typeof input}`;
    throw new EngineError('INPUT_SHAPE', `input has ${got}, the model expects ${prepared.inputLength} (shape ${model.inputShape.join('x')})`, {
      expected: prepared.inputLength,
      shape: model.inputShape,
    });
  }
  const fixed = new Float64Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const value = input[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new EngineError('NON_FINITE_INPUT', `input value ${i} is ${String(value)}; only finite numbers are accepted`, { index: i });
    }
    fixed[i] = quantizeReal(value, model.fractionBits);
  }
  checkFixedInput(model, fixed);
  return fixed;
}

/** Check an already-quantized input: integers with |x| <= the input bound. */
export function checkFixedInput(model: QuantizedModel, fixed: Float64Array): void {
  const prepared = prepareModel(model);
  if (fixed.length !== prepared.inputLength) {
    throw new EngineError('INPUT_SHAPE', `input has ${fixed.length} values, the model expects ${prepared.inputLength} (shape ${model.inputShape.join('x')})`);
  }
  for (let i = 0; i < fixed.length; i++) {
    const v = fixed[i];
    if (!Number.isInteger(v) || Math.abs(v) > prepared.inputBound) {
      throw new EngineError(
        'INPUT_OUT_OF_BOUND',
        `input value ${i} (${v / 2 ** model.fractionBits}) is outside the model's input bound ±${model.inputBoundReal}`,
        { index: i, fixed: v, bound: prepared.inputBound },
      );
    }
  }
}

/** fixed / 2^F for every value. */
export function dequantize(model: QuantizedModel, fixed: ArrayLike<number>): number[] {
  const scale = 2 ** model.fractionBits;
  return Array.from(fixed, (v) => v / scale);
}
