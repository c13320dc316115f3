/**
 * EIP-712 typed data shared by the Settlement contract, the API and workers. One domain per
 * deployment (the Settlement address and chain id), so a signature made for one chain or one
 * deployment never verifies on another.
 *
 * - `Result`: a worker's signature over one result leaf (the same six fields LibResultMerkle
 *   hashes). The API checks it when the result is submitted; Settlement.reveal checks it on-chain,
 *   so whoever commits a batch cannot put words in a worker's mouth.
 * - `WorkerCall`: authenticates one call of the worker API. `payloadHash` binds the call's
 *   arguments, `nonce` (random, 32 bytes) is accepted once, `deadline` (unix seconds) bounds how
 *   long a captured call could be replayed at all (the server keeps used nonces until then).
 *
 * Both signatures recover under the contracts' rule (src/chain/signature.ts, LibSignature): a
 * malleated form (high s, v written as 0 or 1) recovers no one, so no signature the API or the
 * challenger accepts is one Settlement or DisputeGame would refuse.
 */
import {
  hashTypedData,
  keccak256,
  stringToHex,
  type Address,
  type Hex,
  type TypedDataDomain,
} from 'viem';
import type { ResultLeaf } from './result-merkle';
import { recoverCanonicalSigner } from './signature';

export const VERITY_EIP712_NAME = 'Verity';
export const VERITY_EIP712_VERSION = '1';

export const RESULT_TYPES = {
  Result: [
    { name: 'requestId', type: 'bytes32' },
    { name: 'modelCommitment', type: 'bytes32' },
    { name: 'inputCommitment', type: 'bytes32' },
    { name: 'outputCommitment', type: 'bytes32' },
    { name: 'traceCommitment', type: 'bytes32' },
    { name: 'worker', type: 'address' },
  ],
} as const;

export const WORKER_CALL_TYPES = {
  WorkerCall: [
    { name: 'worker', type: 'address' },
    { name: 'operation', type: 'string' },
    { name: 'payloadHash', type: 'bytes32' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const;

/**
 * A model owner's consent to zk mode for one batch size: `enableZkMode` makes the service compile a
 * circuit, run a trusted setup and deploy a verifier, so only the key named as the model's owner
 * may ask for it. `deadline` (unix seconds) bounds a captured signature's life; replaying it before
 * then changes nothing (enabling an enabled circuit returns it, and the call is rate-limited).
 */
export const ENABLE_ZK_MODE_TYPES = {
  EnableZkMode: [
    { name: 'modelCommitment', type: 'bytes32' },
    { name: 'batchSize', type: 'uint32' },
    { name: 'deadline', type: 'uint64' },
  ],
} as const;

export interface EnableZkModeConsent {
  modelCommitment: Hex;
  batchSize: number;
  deadline: bigint;
}

export interface WorkerCall {
  worker: Address;
  operation: string;
  payloadHash: Hex;
  nonce: Hex;
  deadline: bigint;
}

/** The EIP-712 domain of one Verity deployment. */
export function verityDomain(chainId: number, settlement: Address): TypedDataDomain {
  return { name: VERITY_EIP712_NAME, version: VERITY_EIP712_VERSION, chainId, verifyingContract: settlement };
}

/** The digest a worker signs for a result leaf (Settlement.resultDigest returns the same). */
export function resultDigest(domain: TypedDataDomain, leaf: ResultLeaf): Hex {
  return hashTypedData({ domain, types: RESULT_TYPES, primaryType: 'Result', message: leaf });
}

/** The address that signed `leaf`, or null when the signature is malformed or not canonical (as LibSignature). */
export async function recoverResultSigner(domain: TypedDataDomain, leaf: ResultLeaf, signature: Hex): Promise<Address | null> {
  return recoverCanonicalSigner(resultDigest(domain, leaf), signature);
}

/** The digest a worker signs for one API call. */
export function workerCallDigest(domain: TypedDataDomain, call: WorkerCall): Hex {
  return hashTypedData({ domain, types: WORKER_CALL_TYPES, primaryType: 'WorkerCall', message: call });
}

/** The address that signed a worker call, or null when the signature is malformed or not canonical. */
export async function recoverWorkerCallSigner(domain: TypedDataDomain, call: WorkerCall, signature: Hex): Promise<Address | null> {
  return recoverCanonicalSigner(workerCallDigest(domain, call), signature);
}

/** The digest a model owner signs to enable zk mode (EIP-712, the deployment's domain). */
export function enableZkModeDigest(domain: TypedDataDomain, consent: EnableZkModeConsent): Hex {
  return hashTypedData({ domain, types: ENABLE_ZK_MODE_TYPES, primaryType: 'EnableZkMode', message: consent });
}

/** The address that signed a zk-mode consent, or null when the signature is malformed or not canonical. */
export async function recoverEnableZkModeSigner(
  domain: TypedDataDomain,
  consent: EnableZkModeConsent,
  signature: Hex,
): Promise<Address | null> {
  return recoverCanonicalSigner(enableZkModeDigest(domain, consent), signature);
}

/**
 * keccak256 of the canonical JSON of a call's arguments: object keys sorted, no whitespace, only
 * strings, finite numbers, booleans, null, arrays and plain objects. Both sides hash the arguments
 * as GraphQL delivers them, so the signature binds exactly what the server acts on.
 */
export function payloadHash(payload: unknown): Hex {
  return keccak256(stringToHex(canonicalJson(payload)));
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== undefined) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}
