/**
 * The scalars of a powers-of-tau file, computed in the BN254 scalar field from the secrets (pure
 * BigInt arithmetic): powers of tau, and the Lagrange basis of each evaluation domain at tau.
 */
import { invariant } from '../common/invariant';

export const BN254_SCALAR_FIELD =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const R = BN254_SCALAR_FIELD;

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % R;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % R;
    b = (b * b) % R;
    e >>= 1n;
  }
  return result;
}

function inverse(value: bigint): bigint {
  invariant(value % R !== 0n, 'only a non-zero scalar has an inverse');
  return modPow(value, R - 2n);
}

/** factor·tau^i for i = from .. from + count - 1. */
export function powerScalars(tau: bigint, factor: bigint, from: number, count: number): bigint[] {
  const out = new Array<bigint>(count);
  let value = (factor * modPow(tau, BigInt(from))) % R;
  for (let i = 0; i < count; i++) {
    out[i] = value;
    value = (value * tau) % R;
  }
  return out;
}

/**
 * factor·L_i(tau) for the domain {w^i} of size N = 2^domainPower, where L_i is the i-th Lagrange
 * polynomial: L_i(tau) = w^i (tau^N - 1) / (N (tau - w^i)). These are the inverse FFT of the
 * powers tau^0 .. tau^(N-1), which is how snarkjs's prepare phase2 computes them over the group.
 *
 * `withoutLastPower`: the inverse FFT of tau^0 .. tau^(N-2), 0 (snarkjs's largest tauG1 domain,
 * one power longer than the file), which is L_i(tau) - tau^(N-1) w^i / N.
 */
export function lagrangeScalars(
  tau: bigint,
  omega: bigint,
  domainPower: number,
  factor: bigint,
  withoutLastPower = false,
): bigint[] {
  const n = 2 ** domainPower;
  const nInverse = inverse(BigInt(n));
  const vanishing = (modPow(tau, BigInt(n)) - 1n + R) % R;
  const scale = (((factor * vanishing) % R) * nInverse) % R;
  const lastTerm = withoutLastPower ? (((factor * modPow(tau, BigInt(n - 1))) % R) * nInverse) % R : 0n;
  const roots = new Array<bigint>(n);
  const denominators = new Array<bigint>(n);
  let root = 1n;
  for (let i = 0; i < n; i++) {
    roots[i] = root;
    denominators[i] = (tau - root + R) % R;
    root = (root * omega) % R;
  }
  const inverses = batchInverse(denominators);
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) {
    const lagrange = (((scale * roots[i]) % R) * inverses[i]) % R;
    out[i] = (lagrange - ((lastTerm * roots[i]) % R) + R) % R;
  }
  return out;
}

/** Montgomery's trick: n inverses for one field inversion and 3(n - 1) multiplications. */
function batchInverse(values: bigint[]): bigint[] {
  const prefix = new Array<bigint>(values.length);
  let product = 1n;
  for (let i = 0; i < values.length; i++) {
    prefix[i] = product;
    product = (product * values[i]) % R;
  }
  let running = inverse(product);
  const out = new Array<bigint>(values.length);
  for (let i = values.length - 1; i >= 0; i--) {
    out[i] = (running * prefix[i]) % R;
    running = (running * values[i]) % R;
  }
  return out;
}

/** 32 bytes little-endian per scalar, as the fixed-base multiplier reads them. */
export function scalarsToBytes(scalars: bigint[]): Uint8Array {
  const out = new Uint8Array(scalars.length * 32);
  const view = new DataView(out.buffer);
  for (let i = 0; i < scalars.length; i++) {
    let value = scalars[i];
    for (let word = 0; word < 4; word++) {
      view.setBigUint64(i * 32 + word * 8, value & 0xffffffffffffffffn, true);
      value >>= 64n;
    }
  }
  return out;
}
