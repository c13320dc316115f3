/**
 * Checks the input of an on-chain request (Settlement's InferenceRequested event) against its
 * model, as the API checks an input at the edge, and in zk mode against its Poseidon commitment. Pure.
 */
import { toHex, type Hex } from 'viem';
import { checkFixedInput, commitTensor, isEngineError, type QuantizedModel } from '../engine';
import type { InferenceMode } from '../inference/inference-status';
import { circuitLayout } from '../zk/circuit-layout';
import { commitSignedVector } from '../zk/poseidon-commitment';

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

/**
 * An on-chain request's input, checked, and the commitments the pipeline uses. In optimistic mode
 * the request's commitment is the input's tensor root (format v3), checked by the contract. In zk
 * mode it is the circuit's Poseidon commitment (docs/zk.md), which the contract cannot recompute:
 * a request whose input does not match it could never be settled, so it is refused here
 * (ZK_INPUT_COMMITMENT_MISMATCH), and the worker gets the keccak commitment it checks.
 */
export async function checkRequestInput(
  model: QuantizedModel,
  mode: InferenceMode,
  input: readonly bigint[],
  commitment: Hex,
): Promise<
  { valid: boolean; code: string; message?: string; inputCommitment: string; zkInputCommitment: string | null }
> {
  const check = checkChainInput(model, input);
  const base = { code: 'INVALID_INPUT', message: check.valid ? undefined : check.message };
  if (mode === 'OPTIMISTIC' || !check.valid) {
    return { ...base, valid: check.valid, inputCommitment: commitment.toLowerCase(), zkInputCommitment: null };
  }
  const layout = circuitLayout(model, 1);
  const poseidon = await commitSignedVector(input, layout.inputBits, layout.inputOffset);
  const inputCommitment = commitTensor(input).toLowerCase();
  if (poseidon !== BigInt(commitment)) {
    return {
      valid: false,
      code: 'ZK_INPUT_COMMITMENT_MISMATCH',
      message: `the request's input commitment ${commitment} is not the Poseidon commitment of its input (${toHex(poseidon, { size: 32 })}); no proof could settle it`,
      inputCommitment,
      zkInputCommitment: null,
    };
  }
  return { ...base, valid: true, inputCommitment, zkInputCommitment: poseidon.toString() };
}
