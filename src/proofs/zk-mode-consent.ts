import type { DataSource } from 'typeorm';
import type { Hex, TypedDataDomain } from 'viem';
import { recoverEnableZkModeSigner } from '../chain/typed-data';
import { signatureFlaw } from '../chain/signature';
import { query } from '../database/sql';
import { MAX_ZK_CONSENT_LIFETIME_S, ProofsError } from './proofs.errors';

/** What a caller of enableZkMode proves: the model owner's EIP-712 `EnableZkMode` signature. */
export interface ZkModeConsent {
  /** Unix seconds; the signature is refused after it, and when it is more than an hour ahead. */
  deadline: number;
  signature: string;
}

/**
 * Refuses unless `consent` is the model owner's signature over (model commitment, batch size,
 * deadline) in the deployment's EIP-712 domain. The owner is read from the row, not a cache: a
 * model registered without one gains it when its first owner-naming registration arrives.
 */
export async function assertOwnerConsent(
  dataSource: DataSource,
  domain: TypedDataDomain,
  model: { id: string; commitment: string },
  batchSize: number,
  consent: ZkModeConsent,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<void> {
  const [row] = await query<{ owner: string | null }>(dataSource, `SELECT owner FROM models WHERE id = $1`, [model.id]);
  const owner = row?.owner ?? null;
  if (!owner) {
    throw new ProofsError(
      'ZK_OWNER_REQUIRED',
      `model ${model.id} has no owner: register it with \`owner\` set to your address to enable zk mode`,
    );
  }
  const refuse = (why: string): never => {
    throw new ProofsError('ZK_OWNER_SIGNATURE_INVALID', `enableZkMode needs the owner's (${owner}) EnableZkMode signature: ${why}`);
  };
  if (!Number.isSafeInteger(consent.deadline) || consent.deadline < nowSeconds) {
    refuse(`the deadline ${consent.deadline} has passed (now ${nowSeconds})`);
  }
  if (consent.deadline > nowSeconds + MAX_ZK_CONSENT_LIFETIME_S) {
    refuse(`the deadline ${consent.deadline} is more than ${MAX_ZK_CONSENT_LIFETIME_S} s ahead`);
  }
  const flaw = signatureFlaw(consent.signature);
  if (flaw) refuse(flaw.message);
  const signer = await recoverEnableZkModeSigner(
    domain,
    { modelCommitment: model.commitment as Hex, batchSize, deadline: BigInt(consent.deadline) },
    consent.signature as Hex,
  );
  if (signer?.toLowerCase() !== owner.toLowerCase()) {
    refuse(`it recovers ${signer ?? 'no address'}, not the owner (check the model commitment, batch size, deadline and domain)`);
  }
}
