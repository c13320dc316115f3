/**
 * Test circuits around the gadget library: compile a `main` that wraps gadgets, compute honest
 * witnesses, read named signals, and forge witnesses as a cheating prover would.
 *
 * Forging works on the R1CS the proof binds to. circom --O2 eliminates signals that are linear
 * combinations of others (they map to witness index -1 in the .sym file): a forgery names the
 * values it wants for every signal it touches, and only the kept wires are written; the eliminated
 * ones are then implied by the kept ones, exactly as for a real prover.
 */
import { compileCircuit, type CompiledCircuit } from '../../src/zk/circom-compiler';
import { calculateWitness, checkWitness, readR1cs, readSymbols, type R1cs } from '../../src/zk/witness';

import { ZK_TEST_CACHE_DIR } from './zk-fixtures';

export { ZK_TEST_CACHE_DIR };

export interface HarnessCircuit {
  compiled: CompiledCircuit;
  r1cs: R1cs;
  prime: bigint;
  symbols: Map<string, number>;
  /** The honest witness for `input` (throws WITNESS_FAILED when no witness exists). */
  witness(input: Record<string, unknown>): Promise<bigint[]>;
  /** A named signal's value as a signed integer in (-p/2, p/2). */
  value(witness: readonly bigint[], name: string): bigint;
  /** A copy of `witness` with the named signals set (kept wires only; see the file comment). */
  assign(witness: readonly bigint[], assignments: Record<string, bigint>): bigint[];
  /** Like assign, and refuses a forgery that changes no kept wire (it would prove nothing). */
  forge(witness: readonly bigint[], assignments: Record<string, bigint>): bigint[];
  accepts(witness: readonly bigint[]): boolean;
}

/** Wraps `body` (the statements of template Main) into a circuit that includes the gadget library. */
export function harnessSource(signals: string, body: string): string {
  return [
    'pragma circom 2.1.0;',
    'include "fixed-point.circom";',
    'include "commitment.circom";',
    'template Main() {',
    signals,
    body,
    '}',
    'component main = Main();',
    '',
  ].join('\n');
}

export async function compileHarness(name: string, source: string): Promise<HarnessCircuit> {
  const compiled = await compileCircuit({ name, source, cacheDir: ZK_TEST_CACHE_DIR });
  const [r1cs, symbols] = await Promise.all([readR1cs(compiled.r1csPath), readSymbols(compiled.symPath)]);
  const prime = r1cs.prime;
  const indexOf = (name: string): number => {
    const index = symbols.get(name);
    if (index === undefined) throw new Error(`no signal named ${name} in ${compiled.name}`);
    return index;
  };
  const assign = (witness: readonly bigint[], assignments: Record<string, bigint>): bigint[] => {
    const assigned = [...witness];
    for (const [name, value] of Object.entries(assignments)) {
      const index = indexOf(name);
      if (index >= 0) assigned[index] = modP(value, prime);
    }
    return assigned;
  };
  return {
    compiled,
    r1cs,
    prime,
    symbols,
    witness: (input) => calculateWitness(compiled.wasmPath, input),
    value(witness, name) {
      const index = indexOf(name);
      if (index < 0) throw new Error(`signal ${name} was eliminated by --O2; read a kept signal`);
      return toSigned(witness[index], prime);
    },
    assign,
    forge(witness, assignments) {
      const forged = assign(witness, assignments);
      if (forged.every((v, i) => v === witness[i])) throw new Error(`the forgery ${JSON.stringify(Object.keys(assignments))} changed no kept wire`);
      return forged;
    },
    accepts: (witness) => checkWitness(r1cs, witness).ok,
  };
}

export function modP(value: bigint, prime: bigint): bigint {
  return ((value % prime) + prime) % prime;
}

export function toSigned(value: bigint, prime: bigint): bigint {
  const reduced = modP(value, prime);
  return reduced > prime / 2n ? reduced - prime : reduced;
}

/** Modular inverse by Fermat (p prime). */
export function inverseModP(value: bigint, prime: bigint): bigint {
  let result = 1n;
  let base = modP(value, prime);
  for (let e = prime - 2n; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * base) % prime;
    base = (base * base) % prime;
  }
  return result;
}

/**
 * Bit wires `<prefix>.out[i]` of a Num2Bits(n) fed `value`: what a prover writes. For a value
 * outside [0, 2^n) no bits represent it; the prover's best try is the low n bits of value mod p.
 */
export function bitWires(prefix: string, value: bigint, n: number, prime: bigint): Record<string, bigint> {
  const reduced = modP(value, prime);
  const wires: Record<string, bigint> = { [`${prefix}.in`]: reduced };
  for (let i = 0; i < n; i++) wires[`${prefix}.out[${i}]`] = (reduced >> BigInt(i)) & 1n;
  return wires;
}

/** Every wire of a SignedRange(n) at `prefix` fed `value`, with its sign bit possibly overridden. */
export function signedRangeWires(prefix: string, value: bigint, n: number, prime: bigint, signBit?: bigint): Record<string, bigint> {
  const wires = bitWires(`${prefix}.bits`, value + (1n << BigInt(n - 1)), n, prime);
  if (signBit !== undefined) wires[`${prefix}.bits.out[${n - 1}]`] = signBit;
  return { ...wires, [`${prefix}.in`]: value, [`${prefix}.nonNegative`]: wires[`${prefix}.bits.out[${n - 1}]`] };
}

/** Every wire of a RescaleWithSign(S, n) at `prefix` (a Rescale's `.core`) for a claimed quotient and remainder. */
export function rescaleCoreWires(prefix: string, input: bigint, quotient: bigint, remainder: bigint, S: number, n: number, prime: bigint): Record<string, bigint> {
  const range = signedRangeWires(`${prefix}.range`, quotient, n, prime);
  return {
    ...bitWires(`${prefix}.remBits`, remainder, S, prime),
    ...range,
    [`${prefix}.in`]: input,
    [`${prefix}.out`]: quotient,
    [`${prefix}.rem`]: remainder,
    [`${prefix}.nonNegative`]: range[`${prefix}.range.nonNegative`],
  };
}
