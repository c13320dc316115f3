/**
 * What verifyResult checks and what it reports. Each check has a name that says what must hold;
 * a failed check is the named reason a result is not verified.
 */
import type { Address, Hex } from 'viem';
import type { InferenceFieldsFragment } from './generated/graphql';

/** The inference as the client reads it (getInference, waitForFinal): everything verifyResult needs. */
export type VerifiableInference = InferenceFieldsFragment;

export const OPTIMISTIC_CHECKS = [
  /** The output's tensor root is the output commitment in the leaf (wrong output vs leaf). */
  'OUTPUT_MATCHES_LEAF',
  /** The input's tensor root is the input commitment in the leaf. */
  'INPUT_MATCHES_LEAF',
  /** The six leaf fields hash to the leaf hash the API shows. */
  'LEAF_HASH',
  /** ModelRegistry holds the model and allows the inference's mode. */
  'MODEL_REGISTERED',
  /** The leaf proof leads to the root Settlement holds for the batch id. */
  'ROOT_ON_CHAIN',
  /** The worker's EIP-712 Result signature over the leaf recovers the worker the leaf names. */
  'WORKER_SIGNATURE',
  /** That worker holds at least the minimum stake in WorkerRegistry (it can be slashed). */
  'SIGNER_STAKED',
  /** The batch's challenge window is over at the latest block. */
  'WINDOW_OVER',
  /** No dispute on the leaf is undecided. */
  'NO_OPEN_DISPUTE',
  /** No dispute found the leaf wrong. */
  'LEAF_NOT_DISCARDED',
] as const;

export const ZK_CHECKS = [
  'MODEL_REGISTERED',
  /** The verifier ModelRegistry records for the model and batch size accepts the proof. */
  'PROOF_VERIFIES',
  /** The proof's public signals carry this input's commitment and this output. */
  'PROOF_MATCHES_RESULT',
  /** The Poseidon commitment of the input (under the model's committed layout) is the one the proof binds. */
  'INPUT_MATCHES_PROOF',
  /** Settlement recorded this output as proven for the model and the input (zkResultOf). */
  'ZK_RESULT_RECORDED',
] as const;

/** A request made on-chain: Settlement holds it as Final with this output (resultOf). */
export const CHAIN_REQUEST_CHECK = 'FINAL_ON_CHAIN';

export type CheckName = (typeof OPTIMISTIC_CHECKS)[number] | (typeof ZK_CHECKS)[number] | typeof CHAIN_REQUEST_CHECK;

export interface ResultCheck {
  name: CheckName;
  ok: boolean;
  /** What was compared, with the values read (pass) or found (fail). */
  detail: string;
}

export interface VerificationReport {
  inferenceId: string;
  requestId: string;
  mode: VerifiableInference['mode'];
  /** True when every check passed. */
  verified: boolean;
  checks: ResultCheck[];
  /** The names of the failed checks: why the result is not verified. */
  failed: CheckName[];
  /** Where the chain was read: every on-chain value comes from this one block. */
  chain: { chainId: number; settlement: Address; blockNumber: bigint; blockTimestamp: bigint };
}

export const pass = (name: CheckName, detail: string): ResultCheck => ({ name, ok: true, detail });
export const fail = (name: CheckName, detail: string): ResultCheck => ({ name, ok: false, detail });
export const check = (name: CheckName, ok: boolean, detail: string): ResultCheck => ({ name, ok, detail });

export const sameHex = (a: string | null | undefined, b: string | null | undefined): boolean =>
  typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** `value` as bytes32 hex when it is one (the API's strings are not trusted to be well formed). */
export function asBytes32(value: string | null | undefined): Hex | null {
  return typeof value === 'string' && BYTES32.test(value) ? (value as Hex) : null;
}

export function asAddress(value: string | null | undefined): Address | null {
  return typeof value === 'string' && ADDRESS.test(value) ? (value as Address) : null;
}

/** Decimal integer strings as bigints, or null when any is not one. */
export function asIntegers(values: readonly string[] | null | undefined): bigint[] | null {
  if (!values) return null;
  const parsed: bigint[] = [];
  for (const value of values) {
    if (!/^-?[0-9]{1,78}$/.test(value)) return null;
    parsed.push(BigInt(value));
  }
  return parsed;
}

export function sameIntegers(a: readonly bigint[], b: readonly bigint[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
