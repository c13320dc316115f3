/**
 * The public interface of a generated circuit: how inputs are committed and outputs packed into
 * public signals, and how to encode a witness input and decode the public signals. Pure; the
 * generator (circuit-generator.ts) emits exactly this layout.
 *
 * Public signals of a batch circuit for N inferences, in this order:
 *   inputCommitment[s]  = CommitSignedVector(x_s, inputBits, inputOffset)    for s in 0..N-1
 *   outputPacked[m]     = sum_j (y_(m*k + j) + outputOffset) * 2^(outputBits * j)
 *   beneficiary         (a public input: the address credited for the proof)
 * where y is the N outputs concatenated (sample-major, then flat row-major), k = outputsPerField,
 * and the last field is zero-padded. Binding the beneficiary into the proof means a copied proof
 * still pays the party that made it, so watching the mempool gains a front-runner nothing. The on-chain settlement unpacks the outputs itself and
 * compares the input commitments with those bound to each request (docs/zk.md).
 */
import { intLikeToBig, type QuantizedModel } from '../engine';
import { PACKED_FIELD_BITS, offsetBitsFor } from './poseidon-commitment';
import { BN254_SCALAR_FIELD } from './proof-codec';
import { ZkError } from './zk.errors';

export { BN254_SCALAR_FIELD } from './proof-codec';
export { PACKED_FIELD_BITS, offsetBitsFor, signedBitsFor } from './poseidon-commitment';

export interface CircuitLayout {
  batchSize: number;
  inputLength: number;
  outputLength: number;
  /** Each input value v is committed as v + inputOffset in [0, 2^inputBits). */
  inputBits: number;
  inputOffset: bigint;
  outputBits: number;
  outputOffset: bigint;
  outputsPerField: number;
  outputFieldCount: number;
  publicSignalCount: number;
}

export function circuitLayout(model: QuantizedModel, batchSize: number): CircuitLayout {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ZkError('ZK_INPUT_INVALID', `batch size must be a positive integer, got ${batchSize}`);
  }
  const inputLength = model.inputShape.reduce((a, b) => a * b, 1);
  const outputLength = model.outputShape.reduce((a, b) => a * b, 1);
  const inputOffset = intLikeToBig(model.inputBound);
  const outputOffset = intLikeToBig(model.bounds.tensors[model.bounds.tensors.length - 1]);
  const outputBits = offsetBitsFor(outputOffset);
  const outputsPerField = Math.floor(PACKED_FIELD_BITS / outputBits);
  const outputFieldCount = Math.ceil((batchSize * outputLength) / outputsPerField);
  return {
    batchSize,
    inputLength,
    outputLength,
    inputBits: offsetBitsFor(inputOffset),
    inputOffset,
    outputBits,
    outputOffset,
    outputsPerField,
    outputFieldCount,
    publicSignalCount: batchSize + outputFieldCount + 1,
  };
}

/** A signed integer as the decimal field element circom expects. */
export function toFieldString(value: bigint): string {
  return (((value % BN254_SCALAR_FIELD) + BN254_SCALAR_FIELD) % BN254_SCALAR_FIELD).toString();
}

/** The witness input of a batch: `x[s][i]`, refusing a wrong batch size or input length. */
export function circuitInput(
  layout: CircuitLayout,
  inputsFixed: readonly (readonly bigint[])[],
  beneficiary: bigint,
): { x: string[][]; beneficiary: string } {
  if (inputsFixed.length !== layout.batchSize) {
    throw new ZkError('ZK_INPUT_INVALID', `the circuit proves ${layout.batchSize} inference(s) at once, got ${inputsFixed.length} input(s)`);
  }
  if (beneficiary < 0n || beneficiary >= 1n << 160n) throw new ZkError('ZK_INPUT_INVALID', 'the beneficiary must be a 20-byte address');
  return {
    beneficiary: beneficiary.toString(),
    x: inputsFixed.map((input, s) => {
      if (input.length !== layout.inputLength) {
        throw new ZkError('ZK_INPUT_INVALID', `input ${s} has ${input.length} values, the model expects ${layout.inputLength}`);
      }
      return input.map(toFieldString);
    }),
  };
}

/** Packs N outputs into the public output fields (the circuit's outputPacked). */
export function packOutputs(layout: CircuitLayout, outputs: readonly (readonly bigint[])[]): bigint[] {
  const flat = outputs.flatMap((output) => [...output]);
  const fields: bigint[] = [];
  for (let m = 0; m < layout.outputFieldCount; m++) {
    let field = 0n;
    for (let j = 0; j < layout.outputsPerField; j++) {
      const value = flat[m * layout.outputsPerField + j];
      if (value === undefined) break;
      field += (value + layout.outputOffset) << BigInt(layout.outputBits * j);
    }
    fields.push(field);
  }
  return fields;
}

export interface DecodedPublicSignals {
  inputCommitments: bigint[];
  outputs: bigint[][];
  beneficiary: bigint;
}

/** Splits public signals into input commitments and unpacked signed outputs. */
export function decodePublicSignals(layout: CircuitLayout, publicSignals: readonly (string | bigint)[]): DecodedPublicSignals {
  if (publicSignals.length !== layout.publicSignalCount) {
    throw new ZkError('PROOF_INVALID', `expected ${layout.publicSignalCount} public signals, got ${publicSignals.length}`);
  }
  const signals = publicSignals.map((s) => BigInt(s));
  const mask = (1n << BigInt(layout.outputBits)) - 1n;
  const flat: bigint[] = [];
  for (const field of signals.slice(layout.batchSize, layout.batchSize + layout.outputFieldCount)) {
    for (let j = 0; j < layout.outputsPerField; j++) flat.push(((field >> BigInt(layout.outputBits * j)) & mask) - layout.outputOffset);
  }
  const outputs = Array.from({ length: layout.batchSize }, (_, s) => flat.slice(s * layout.outputLength, (s + 1) * layout.outputLength));
  return { inputCommitments: signals.slice(0, layout.batchSize), outputs, beneficiary: signals[signals.length - 1] };
}
