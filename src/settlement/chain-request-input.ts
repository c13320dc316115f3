/**
 * Checks the input of an on-chain request (Settlement's InferenceRequested event) against its
 * model, as the API checks an input at the edge. Pure.
 */
import { checkFixedInput, isEngineError, type QuantizedModel } from '../engine';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export type ChainInputCheck = { valid: true } | { valid: false; message: string };

/** Whether `input` (fixed point, as the event carries it) fits the model's shape and input bound. */
export function checkChainInput(model: QuantizedModel, input: readonly bigint[]): ChainInputCheck {
  const expected = model.inputShape.reduce((a, b) => a * b, 1);
  if (input.length === 0) {
    return {
      valid: false,
      message: `the request carries no input; inputs are accepted on-chain only, ${expected} values (shape ${model.inputShape.join('x')})`,
    };
  }
  const unsafe = input.findIndex(
    (value) => value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER),
  );
  if (unsafe >= 0) {
    return {
      valid: false,
      message: `input value ${unsafe} (${input[unsafe]}) is outside the model's input bound ±${model.inputBoundReal}`,
    };
  }
  try {
    checkFixedInput(
      model,
      Float64Array.from(input, (value) => Number(value)),
    );
    return { valid: true };
  } catch (error) {
    if (isEngineError(error)) return { valid: false, message: error.message };
    throw error;
  }
}

/** The input as stored in inferences.input_fixed (bigint[]): empty when a value does not fit. */
export function storableInput(input: readonly bigint[]): string[] {
  return input.every((value) => value >= INT64_MIN && value <= INT64_MAX) ? input.map(String) : [];
}
