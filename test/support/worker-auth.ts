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

/** anvil's default accounts #4..#8, for tests that need more independent workers. */
export const ANVIL_EXTRA_WORKER_KEYS = [
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
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

/** secp256k1's group order n (written down here, not imported: the tests state the protocol). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * A malleated form of an honest 65-byte signature that viem still recovers to the same signer but
 * LibSignature refuses: `high-s` is the twin (r, n - s, v flipped), `y-parity` writes v as 0 or 1.
 */
export function malleate(signature: Hex, form: 'high-s' | 'y-parity'): Hex {
  const r = signature.slice(2, 66);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130, 132), 16);
  if (form === 'y-parity')
    return `0x${r}${signature.slice(66, 130)}${(v - 27).toString(16).padStart(2, '0')}`;
  const highS = (SECP256K1_N - s).toString(16).padStart(64, '0');
  return `0x${r}${highS}${(v === 27 ? 28 : 27).toString(16)}`;
}
