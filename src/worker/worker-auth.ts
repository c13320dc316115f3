/**
 * The `auth` argument of every worker mutation: an EIP-712 WorkerCall signed by the worker key over
 * the deployment's domain. `payloadHash` binds exactly the `input` variable sent, `nonce` is fresh
 * random bytes32 (the server accepts it once), `deadline` bounds replay to WORKER_CALL_TTL_SECONDS.
 */
import { randomBytes } from 'node:crypto';
import type { Hex, LocalAccount, TypedDataDomain } from 'viem';
import { WORKER_CALL_TYPES, payloadHash, type WorkerCall } from '../chain/typed-data';

export const WORKER_CALL_TTL_SECONDS = 60;

/** The GraphQL WorkerAuthInput. */
export interface WorkerAuthInput {
  worker: string;
  /** The payloadHash signed: the server recovers the signer from it before it hashes the input. */
  payloadHash: string;
  nonce: string;
  deadline: number;
  signature: string;
}

export interface WorkerCallSigner {
  readonly address: Hex;
  /** Signs `operation` (the mutation field name) with `input` (the variable object sent as `input`). */
  sign(operation: string, input: unknown): Promise<WorkerAuthInput>;
}

/** A fresh random bytes32. */
export function randomNonce(): Hex {
  return `0x${randomBytes(32).toString('hex')}`;
}

/** The WorkerCall message for one call (exported for tests and for servers that verify it). */
export function workerCallMessage(
  worker: Hex,
  operation: string,
  input: unknown,
  nowSeconds: number,
  nonce: Hex = randomNonce(),
): WorkerCall {
  return {
    worker,
    operation,
    payloadHash: payloadHash(input),
    nonce,
    deadline: BigInt(nowSeconds + WORKER_CALL_TTL_SECONDS),
  };
}

export function workerCallSigner(
  account: LocalAccount,
  domain: TypedDataDomain,
  now: () => number = Date.now,
): WorkerCallSigner {
  return {
    address: account.address,
    async sign(operation, input) {
      const message = workerCallMessage(account.address, operation, input, Math.floor(now() / 1000));
      const signature = await account.signTypedData({
        domain,
        types: WORKER_CALL_TYPES,
        primaryType: 'WorkerCall',
        message,
      });
      return {
        worker: message.worker,
        payloadHash: message.payloadHash,
        nonce: message.nonce,
        deadline: Number(message.deadline),
        signature,
      };
    },
  };
}
