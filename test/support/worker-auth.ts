/**
 * Test-side signing of worker calls and results, written from the protocol definition
 * (src/chain/typed-data.ts) so the e2e tests can act as honest, forging or replaying workers.
 */
import { randomBytes } from 'node:crypto';
import { bytesToHex, type Hex, type TypedDataDomain } from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { payloadHash, RESULT_TYPES, WORKER_CALL_TYPES } from '../../src/chain/typed-data';
import type { ResultLeaf } from '../../src/chain/result-merkle';

/** anvil's default accounts #1..#3 (mnemonic "test test ... junk"): development keys. */
export const ANVIL_WORKER_KEYS = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
] as const;

export interface WorkerAuth {
  worker: Hex;
  payloadHash: Hex;
  nonce: Hex;
  deadline: number;
  signature: Hex;
}

export function testWorker(key: Hex): PrivateKeyAccount {
  return privateKeyToAccount(key);
}

/** Signs a WorkerCall for `operation` over `input`; `signer` defaults to the worker itself. */
export async function signCall(
  domain: TypedDataDomain,
  worker: PrivateKeyAccount,
  operation: string,
  input: unknown,
  options: { signer?: PrivateKeyAccount; deadline?: number; nonce?: Hex } = {},
): Promise<WorkerAuth> {
  const nonce = options.nonce ?? bytesToHex(randomBytes(32));
  const deadline = options.deadline ?? Math.floor(Date.now() / 1000) + 60;
  const signedHash = payloadHash(input);
  const signature = await (options.signer ?? worker).signTypedData({
    domain,
    types: WORKER_CALL_TYPES,
    primaryType: 'WorkerCall',
    message: {
      worker: worker.address,
      operation,
      payloadHash: signedHash,
      nonce,
      deadline: BigInt(deadline),
    },
  });
  return { worker: worker.address, payloadHash: signedHash, nonce, deadline, signature };
}

export function signResult(
  domain: TypedDataDomain,
  signer: PrivateKeyAccount,
  leaf: ResultLeaf,
): Promise<Hex> {
  return signer.signTypedData({ domain, types: RESULT_TYPES, primaryType: 'Result', message: leaf });
}
