import { signatureFlaw } from '../chain/signature';
import { WorkersError, type WorkersErrorCode } from './workers.errors';

/**
 * Refuses a worker signature the contracts would refuse (LibSignature's rule, src/chain/signature.ts):
 * a wrong length is `malformedCode` (the caller's usual code for a malformed signature); a high s
 * or a v other than 27 or 28 is SIGNATURE_NOT_CANONICAL, saying what is accepted. Applied to
 * result signatures (they reach Settlement.reveal and DisputeGame.open) and to call signatures
 * (they never reach a contract, but one rule for every worker signature leaves nothing to get wrong).
 */
export function assertCanonicalSignature(
  signature: string,
  what: string,
  malformedCode: WorkersErrorCode,
): void {
  const flaw = signatureFlaw(signature);
  if (!flaw) return;
  if (flaw.kind === 'LENGTH') throw new WorkersError(malformedCode, `${what}: ${flaw.message}`);
  throw new WorkersError('SIGNATURE_NOT_CANONICAL', `${what}: ${flaw.message}`, { flaw: flaw.kind });
}
