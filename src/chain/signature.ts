/**
 * The one rule for a worker's secp256k1 signature, the same as contracts/libraries/LibSignature.sol:
 * exactly 65 bytes (r, s, v), s in the lower half of the curve order (EIP-2), v 27 or 28. viem (and
 * ethers) recover more: the high-s twin (r, n - s, v flipped) of a valid signature and v written
 * as the y-parity 0 or 1. Both recover the same signer, but Settlement.reveal and DisputeGame.open
 * refuse them, so a result accepted under viem's rule could never be revealed nor disputed.
 * test/integration/contracts/lib-signature.integration-spec.ts checks that this file and
 * LibSignature agree case by case. Pure; no Nest imports.
 */
import { recoverAddress, type Address, type Hex } from 'viem';

/** secp256k1's group order n. */
export const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** n / 2: the largest s of a canonical (low-s) signature; LibSignature.MAX_S. */
export const MAX_CANONICAL_S = SECP256K1_ORDER / 2n;
/** A signature's length in bytes, as LibSignature requires it (no EIP-2098 compact form). */
export const SIGNATURE_BYTES = 65;

const SIGNATURE_PATTERN = /^0x[0-9a-fA-F]{130}$/;

/** Why a signature is not in the canonical form, as the contracts see it. */
export type SignatureFlaw =
  { kind: 'LENGTH'; message: string } | { kind: 'HIGH_S'; message: string } | { kind: 'V'; message: string };

const ACCEPTED =
  'only 65-byte signatures with s <= n/2 (EIP-2) and v = 27 or 28 are accepted, as the contracts check';

interface SignatureParts {
  r: bigint;
  s: bigint;
  v: number;
}

function split(signature: string): SignatureParts | null {
  if (!SIGNATURE_PATTERN.test(signature)) return null;
  return {
    r: BigInt(`0x${signature.slice(2, 66)}`),
    s: BigInt(`0x${signature.slice(66, 130)}`),
    v: parseInt(signature.slice(130, 132), 16),
  };
}

function join({ r, s, v }: SignatureParts): Hex {
  return `0x${r.toString(16).padStart(64, '0')}${s.toString(16).padStart(64, '0')}${v.toString(16).padStart(2, '0')}`;
}

/**
 * What makes `signature` unacceptable to LibSignature before any curve arithmetic (its length, a
 * high s, a v other than 27 or 28; checked in LibSignature's order), or null when the form is
 * canonical. A canonical form can still fail to recover (r not on the curve, s = 0): callers
 * recover next and compare with the expected signer.
 */
export function signatureFlaw(signature: string): SignatureFlaw | null {
  const parts = split(signature);
  if (!parts) {
    const shown = /^0x[0-9a-fA-F]*$/.test(signature) ? `${(signature.length - 2) / 2} bytes` : 'not hex';
    return { kind: 'LENGTH', message: `the signature is ${shown}; ${ACCEPTED}` };
  }
  if (parts.s > MAX_CANONICAL_S)
    return {
      kind: 'HIGH_S',
      message: `the signature has s above n/2 (the malleated twin of a low-s one); ${ACCEPTED}`,
    };
  if (parts.v !== 27 && parts.v !== 28)
    return { kind: 'V', message: `the signature has v = ${parts.v}; ${ACCEPTED}` };
  return null;
}

/**
 * LibSignature.recover in TypeScript: the signer of `digest`, or null where the contract returns
 * address(0) (a flawed form, or one the ecrecover precompile cannot recover).
 */
export async function recoverCanonicalSigner(digest: Hex, signature: string): Promise<Address | null> {
  if (signatureFlaw(signature)) return null;
  try {
    return await recoverAddress({ hash: digest, signature: signature as Hex });
  } catch {
    return null;
  }
}

/**
 * The canonical twin of a 65-byte signature that viem would recover: s replaced by n - s (and v
 * flipped) when s is high, v written as 27 or 28. It recovers the same signer as viem's reading of
 * the original, and LibSignature accepts it. Null for anything else (another length, another v,
 * r or s out of [1, n)). For whoever holds a result signed before the rule was enforced and needs
 * the contracts to accept it (the service's reveal, the challenger's dispute).
 */
export function canonicalSignature(signature: string): Hex | null {
  const parts = split(signature);
  if (!parts) return null;
  const { r, s } = parts;
  if (r === 0n || r >= SECP256K1_ORDER || s === 0n || s >= SECP256K1_ORDER) return null;
  let yParity: number;
  if (parts.v === 0 || parts.v === 1) yParity = parts.v;
  else if (parts.v === 27 || parts.v === 28) yParity = parts.v - 27;
  else return null;
  if (s > MAX_CANONICAL_S) return join({ r, s: SECP256K1_ORDER - s, v: 27 + (yParity ^ 1) });
  return join({ r, s, v: 27 + yParity });
}
