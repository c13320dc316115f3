/**
 * Tensor and trace commitments (docs/semantics.md, "Commitments" and "Trace commitment"):
 *   tensorCommitment(values)  = keccak256(abi.encode(int256[] values))
 *   stepCommitment[i]         = tensorCommitment(output of step i)
 *   traceCommitment           = keccak256(abi.encode(bytes32[] stepCommitments))
 *
 * The ABI encoding is written by hand into one Uint8Array (head word 0x20, the length, then one
 * 32-byte big-endian two's complement word per value) and hashed with viem's keccak256: the same
 * bytes viem's encodeAbiParameters produces (a property test checks it), without building a hex
 * string per value. Safe-integer numbers (every engine tensor value) take a path with no BigInt.
 */
import { type Hex, hexToBytes, keccak256 } from 'viem';
import { EngineError } from '../engine.errors';

export type TensorValues = ArrayLike<number | bigint | string>;

const WORD_BYTES = 32;
/** abi.encode of one dynamic array: the offset word and the length word precede the items. */
const ARRAY_HEAD_BYTES = 2 * WORD_BYTES;
const TWO_POW_32 = 2 ** 32;
const INT256_MIN = -(2n ** 255n);
const INT256_MAX = 2n ** 255n - 1n;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** A safe integer as a two's complement int256 word at `offset` (the buffer starts zeroed). */
function writeSafeInteger(bytes: Uint8Array, view: DataView, offset: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  const low = value - high * TWO_POW_32;
  if (value < 0) bytes.fill(0xff, offset, offset + WORD_BYTES - 8);
  view.setInt32(offset + WORD_BYTES - 8, high);
  view.setUint32(offset + WORD_BYTES - 4, low);
}

function writeBigInt(bytes: Uint8Array, view: DataView, offset: number, value: bigint): void {
  if (value >= -MAX_SAFE_BIG && value <= MAX_SAFE_BIG) {
    writeSafeInteger(bytes, view, offset, Number(value));
    return;
  }
  if (value < INT256_MIN || value > INT256_MAX)
    throw new EngineError('INVALID_ARGUMENT', `tensor value ${value} does not fit in int256`);
  let word = BigInt.asUintN(256, value);
  for (let i = 3; i >= 0; i--) {
    view.setBigUint64(offset + i * 8, BigInt.asUintN(64, word));
    word >>= 64n;
  }
}

function writeValue(
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  value: number | bigint | string,
): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new EngineError('INVALID_ARGUMENT', `tensor value ${value} is not a safe integer`);
    writeSafeInteger(bytes, view, offset, value);
  } else {
    writeBigInt(bytes, view, offset, BigInt(value));
  }
}

/** The bytes of abi.encode(int256[] values). */
export function encodeInt256Array(values: TensorValues): Uint8Array {
  const bytes = new Uint8Array(ARRAY_HEAD_BYTES + values.length * WORD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(WORD_BYTES - 4, WORD_BYTES);
  view.setUint32(ARRAY_HEAD_BYTES - 4, values.length);
  for (let i = 0; i < values.length; i++)
    writeValue(bytes, view, ARRAY_HEAD_BYTES + i * WORD_BYTES, values[i]);
  return bytes;
}

/** keccak256(abi.encode(int256[] values)): the commitment of an input, output or step tensor (fixed point). */
export function commitTensor(values: TensorValues): Hex {
  return keccak256(encodeInt256Array(values));
}

/** keccak256(abi.encode(bytes32[] words)) over 32-byte words laid out back to back. */
function commitWords(words: readonly Uint8Array[]): Hex {
  const bytes = new Uint8Array(ARRAY_HEAD_BYTES + words.length * WORD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(WORD_BYTES - 4, WORD_BYTES);
  view.setUint32(ARRAY_HEAD_BYTES - 4, words.length);
  words.forEach((word, i) => bytes.set(word, ARRAY_HEAD_BYTES + i * WORD_BYTES));
  return keccak256(bytes);
}

/** stepCommitment[i] = commitTensor(output of step i), for every step in order. */
export function commitTraceSteps(stepOutputs: readonly TensorValues[]): Hex[] {
  return stepOutputs.map((values) => commitTensor(values));
}

/** keccak256(abi.encode(bytes32[] stepCommitments)). */
export function traceCommitmentFromSteps(stepCommitments: readonly Hex[]): Hex {
  return commitWords(
    stepCommitments.map((c) => {
      if (!/^0x[0-9a-fA-F]{64}$/.test(c))
        throw new EngineError('INVALID_ARGUMENT', `step commitment ${c} is not a bytes32`);
      return hexToBytes(c);
    }),
  );
}

/**
 * The trace commitment of one evaluation: `stepOutputs[i]` is the output of step i (the evaluator's
 * `trace[i].values`, or OnnxRuntimeBackend.runTraced's `trace[n][i]`).
 */
export function commitTrace(stepOutputs: readonly TensorValues[]): Hex {
  return commitWords(stepOutputs.map((values) => keccak256(encodeInt256Array(values), 'bytes')));
}
