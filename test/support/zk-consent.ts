/**
 * Test-side model ownership: the key a test names as a model's owner at registration and the
 * EnableZkMode signature enableZkMode needs from it (src/chain/typed-data.ts, src/proofs/zk-mode-consent.ts).
 */
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ENABLE_ZK_MODE_TYPES, verityDomain } from '../../src/chain/typed-data';
import type { TestApp } from './test-app';

/** A development key that owns the tests' models (it needs no funds: it only signs). */
export const MODEL_OWNER_KEY: Hex = '0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63';
export const MODEL_OWNER = privateKeyToAccount(MODEL_OWNER_KEY).address;

/** The owner's consent to zk mode for (model, batch size), valid for ten minutes: enableZkMode's `deadline` and `signature`. */
export async function zkConsent(
  app: TestApp,
  modelCommitment: Hex,
  batchSize = 1,
  key: Hex = MODEL_OWNER_KEY,
  deadline = BigInt(Math.floor(Date.now() / 1000) + 600),
): Promise<{ deadline: number; signature: Hex }> {
  const domain = verityDomain(app.runtime.chain.chain.id, app.runtime.deployment.contracts.Settlement);
  const signature = await privateKeyToAccount(key).signTypedData({
    domain,
    types: ENABLE_ZK_MODE_TYPES,
    primaryType: 'EnableZkMode',
    message: { modelCommitment, batchSize, deadline },
  });
  return { deadline: Number(deadline), signature };
}
