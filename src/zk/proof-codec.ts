/**
 * snarkjs proof JSON to the calldata of the generated verifier's
 * `verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[N] pubSignals)`.
 *
 * The EVM pairing precompile (EIP-197) takes an Fp2 element as (imaginary, real); snarkjs writes
 * it as (real, imaginary), so each G2 coordinate pair of `b` is swapped. Points are affine: the
 * third (z = 1) coordinate snarkjs writes is dropped.
 */
import type { Groth16Proof, PublicSignals } from './snarkjs';
import { ZkError } from './zk.errors';

/** BN254 base field: proof coordinates are below it. */
export const BN254_BASE_FIELD =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** BN254 scalar field: public signals are below it (the verifier rejects anything else). */
export const BN254_SCALAR_FIELD =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export interface SolidityProof {
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
  publicSignals: readonly bigint[];
}

function element(value: unknown, bound: bigint, what: string): bigint {
  if (typeof value !== 'string' || !/^[0-9]{1,78}$/.test(value)) {
    throw new ZkError('PROOF_INVALID', `${what} must be a decimal string, got ${JSON.stringify(value)}`);
  }
  const parsed = BigInt(value);
  if (parsed >= bound) throw new ZkError('PROOF_INVALID', `${what} is not below the field modulus`);
  return parsed;
}

function affine(point: unknown, what: string): void {
  if (!Array.isArray(point) || (point.length !== 2 && point.length !== 3)) {
    throw new ZkError('PROOF_INVALID', `${what} must have 2 or 3 coordinates`);
  }
}

/** Converts a snarkjs Groth16 proof and its public signals. Throws PROOF_INVALID if malformed. */
export function toSolidityProof(proof: Groth16Proof, publicSignals: PublicSignals): SolidityProof {
  affine(proof.pi_a, 'pi_a');
  affine(proof.pi_b, 'pi_b');
  affine(proof.pi_c, 'pi_c');
  const g1 = (point: string[], name: string) =>
    [
      element(point[0], BN254_BASE_FIELD, `${name}.x`),
      element(point[1], BN254_BASE_FIELD, `${name}.y`),
    ] as const;
  const fp2Swapped = (pair: unknown, name: string) => {
    if (!Array.isArray(pair) || pair.length !== 2)
      throw new ZkError('PROOF_INVALID', `${name} must be an Fp2 pair`);
    return [
      element(pair[1], BN254_BASE_FIELD, `${name}[1]`),
      element(pair[0], BN254_BASE_FIELD, `${name}[0]`),
    ] as const;
  };
  if (!Array.isArray(publicSignals)) throw new ZkError('PROOF_INVALID', 'public signals must be an array');
  return {
    a: g1(proof.pi_a, 'pi_a'),
    b: [fp2Swapped(proof.pi_b[0], 'pi_b.x'), fp2Swapped(proof.pi_b[1], 'pi_b.y')],
    c: g1(proof.pi_c, 'pi_c'),
    publicSignals: publicSignals.map((signal, i) =>
      element(signal, BN254_SCALAR_FIELD, `public signal ${i}`),
    ),
  };
}

/** The arguments of `verifyProof(a, b, c, pubSignals)` in order, for viem. */
export function verifyProofArgs(
  proof: SolidityProof,
): readonly [SolidityProof['a'], SolidityProof['b'], SolidityProof['c'], readonly bigint[]] {
  return [proof.a, proof.b, proof.c, proof.publicSignals];
}
