/**
 * Off-chain Groth16 verification (snarkjs `groth16 verify`, about 25 ms). Never throws for a
 * malformed proof, key or signal list: anything that is not a valid proof is `false`. The bn128
 * curve it builds is terminated when no other caller uses it.
 */
import { snarkjs, withCurve, type Groth16Proof, type PublicSignals, type VerificationKey } from './snarkjs';

const DECIMAL = /^[0-9]{1,78}$/;

function isDecimalArray(value: unknown, length: number): value is string[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'string' && DECIMAL.test(v))
  );
}

/** Shape check: snarkjs throws (or worse) on values of the wrong shape. */
export function isWellFormedProof(proof: unknown): proof is Groth16Proof {
  if (typeof proof !== 'object' || proof === null) return false;
  const p = proof as Partial<Groth16Proof>;
  return (
    isDecimalArray(p.pi_a, 3) &&
    Array.isArray(p.pi_b) &&
    p.pi_b.length === 3 &&
    p.pi_b.every((pair) => isDecimalArray(pair, 2)) &&
    isDecimalArray(p.pi_c, 3)
  );
}

/** True only for a valid proof of these public signals under this verification key. */
export async function verifyProof(
  verificationKey: VerificationKey,
  publicSignals: PublicSignals,
  proof: Groth16Proof,
): Promise<boolean> {
  if (!isWellFormedProof(proof)) return false;
  if (!isDecimalArray(publicSignals, verificationKey.nPublic)) return false;
  if (!Array.isArray(verificationKey.IC) || verificationKey.IC.length !== verificationKey.nPublic + 1)
    return false;
  try {
    return await withCurve(() => snarkjs.groth16.verify(verificationKey, publicSignals, proof));
  } catch {
    // A coordinate that is not a field element or a point off the curve: not a proof.
    return false;
  }
}
