/**
 * Witnesses of compiled circuits, and an independent check of a witness against the R1CS.
 *
 * - `calculateWitness` runs the witness calculator circom writes next to the wasm
 *   (`<name>_js/witness_calculator.js`) in memory; a failing `===` or Num2Bits at witness time
 *   becomes WITNESS_FAILED with circom's message.
 * - `readR1cs` + `checkWitness` evaluate every constraint (A.w)(B.w) - C.w mod p, so tests can
 *   show that a forged witness (as a cheating prover would build it) is rejected by the very
 *   constraint system the Groth16 proof binds to, not just by the witness generator's asserts.
 * - `readSymbols` maps signal names to witness indices (the .sym file) so tests can tamper named
 *   signals; signals that --O2 eliminated (linear combinations of kept ones) map to -1.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ZkError } from './zk.errors';

interface WitnessCalculator {
  calculateWitness(input: Record<string, unknown>, sanityCheck: boolean): Promise<bigint[]>;
}
type WitnessCalculatorBuilder = (code: Buffer, options?: Record<string, unknown>) => Promise<WitnessCalculator>;

/** Compiled calculators by wasm path; one that threw is dropped (its error buffer and state are dirty). */
const calculators = new Map<string, Promise<WitnessCalculator>>();

async function loadCalculator(wasmPath: string): Promise<WitnessCalculator> {
  const builderPath = join(dirname(wasmPath), 'witness_calculator.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const builder = require(builderPath) as WitnessCalculatorBuilder;
  return builder(await readFile(wasmPath));
}

function calculatorFor(wasmPath: string): Promise<WitnessCalculator> {
  let calculator = calculators.get(wasmPath);
  if (!calculator) {
    calculator = loadCalculator(wasmPath);
    calculators.set(wasmPath, calculator);
  }
  return calculator;
}

/**
 * The full witness (wire 0 is the constant 1, then outputs, inputs, the rest) for `input`, a map
 * from main's input signal names to values (bigint, number or decimal string; arrays nested).
 */
export async function calculateWitness(wasmPath: string, input: Record<string, unknown>): Promise<bigint[]> {
  let calculator: WitnessCalculator;
  try {
    calculator = await calculatorFor(wasmPath);
  } catch (error) {
    calculators.delete(wasmPath);
    throw new ZkError('WITNESS_FAILED', `cannot load the witness calculator of ${wasmPath}: ${errorText(error)}`, { wasmPath }, error);
  }
  try {
    return await calculator.calculateWitness(input, true);
  } catch (error) {
    calculators.delete(wasmPath);
    throw new ZkError('WITNESS_FAILED', `witness generation failed: ${errorText(error)}`, { wasmPath }, error);
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^(Error: )+/, '').trim().replace(/\s*\n\s*/g, '; ');
}

/** A linear combination: wire index -> coefficient in [0, p). */
export type LinearCombination = Map<number, bigint>;

export interface R1cs {
  prime: bigint;
  nWires: number;
  nOutputs: number;
  nPublicInputs: number;
  nPrivateInputs: number;
  /** Each constraint is (A, B, C) with A.w * B.w = C.w. */
  constraints: [LinearCombination, LinearCombination, LinearCombination][];
}

interface R1csFileContents {
  prime: bigint;
  nVars: number;
  nOutputs: number;
  nPubInputs: number;
  nPrvInputs: number;
  constraints: Record<string, bigint>[][];
}
interface R1csFileModule {
  readR1cs(fileName: string, options: Record<string, unknown>): Promise<R1csFileContents>;
}

/**
 * A minimal prime field for r1csfile: it only decodes coefficients (little-endian, standard form),
 * so no curve (and no worker threads) is built.
 */
function coefficientField(prime: bigint) {
  const n8 = Math.ceil(prime.toString(16).length / 2);
  return {
    p: prime,
    n8,
    fromRprLE(buffer: Uint8Array, offset: number): bigint {
      let value = 0n;
      for (let i = n8 - 1; i >= 0; i--) value = (value << 8n) | BigInt(buffer[offset + i]);
      return value;
    },
  };
}

/** Reads an .r1cs file (r1csfile, the parser snarkjs uses). */
export async function readR1cs(r1csPath: string): Promise<R1cs> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const r1csfile = require('r1csfile') as R1csFileModule;
  const file = await r1csfile.readR1cs(r1csPath, {
    loadConstraints: true,
    loadMap: false,
    loadCustomGates: false,
    getFieldFromPrime: (prime: bigint) => coefficientField(prime),
  });
  const toLc = (lc: Record<string, bigint>): LinearCombination => new Map(Object.entries(lc).map(([wire, coefficient]) => [Number(wire), coefficient]));
  return {
    prime: file.prime,
    nWires: file.nVars,
    nOutputs: file.nOutputs,
    nPublicInputs: file.nPubInputs,
    nPrivateInputs: file.nPrvInputs,
    constraints: file.constraints.map(([a, b, c]) => [toLc(a), toLc(b), toLc(c)]),
  };
}

function evaluate(lc: LinearCombination, witness: readonly bigint[], prime: bigint): bigint {
  let sum = 0n;
  for (const [wire, coefficient] of lc) sum += coefficient * witness[wire];
  return sum % prime;
}

/**
 * Evaluates every constraint on `witness` (values taken modulo p, so negative or unreduced forged
 * values are fine). Returns the first violated constraint. The witness must have one value per
 * wire and wire 0 must be 1 (a witness that lies about the constant wire is not a witness).
 */
export function checkWitness(r1cs: R1cs, witness: readonly bigint[]): { ok: true } | { ok: false; constraintIndex: number } {
  if (witness.length !== r1cs.nWires) {
    throw new ZkError('WITNESS_FAILED', `the witness has ${witness.length} values, the circuit has ${r1cs.nWires} wires`);
  }
  if ((((witness[0] % r1cs.prime) + r1cs.prime) % r1cs.prime) !== 1n) return { ok: false, constraintIndex: -1 };
  const p = r1cs.prime;
  for (let i = 0; i < r1cs.constraints.length; i++) {
    const [a, b, c] = r1cs.constraints[i];
    const residue = (((evaluate(a, witness, p) * evaluate(b, witness, p) - evaluate(c, witness, p)) % p) + p) % p;
    if (residue !== 0n) return { ok: false, constraintIndex: i };
  }
  return { ok: true };
}

/**
 * Signal name (e.g. `main.rescale.core.rem`) -> witness index from circom's .sym file
 * (`labelIndex,witnessIndex,componentIndex,name` per line); -1 for signals --O2 eliminated.
 */
export async function readSymbols(symPath: string): Promise<Map<string, number>> {
  const symbols = new Map<string, number>();
  for (const line of (await readFile(symPath, 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(',');
    if (fields.length < 4) throw new ZkError('WITNESS_FAILED', `malformed line in ${symPath}: "${line}"`);
    symbols.set(fields.slice(3).join(','), Number(fields[1]));
  }
  return symbols;
}
