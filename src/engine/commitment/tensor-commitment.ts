/**
 * Tensor and trace commitments (docs/semantics.md sections 8 and 9, format version 2):
 *   tensorCommitment(values) = keccak256(abi.encode(int256[] values))     (inputs and outputs)
 *   tensorRoots              = [tensorRoot(input), tensorRoot(output of step 0), ...]  (tensor-root.ts)
 *   traceCommitment          = keccak256(abi.encode(bytes32[] tensorRoots))
 *
 * The ABI encodings are written by hand into one Uint8Array (head word 0x20, the length, then one
 * 32-byte big-endian word per item): the same bytes viem's encodeAbiParameters produces (a property
 * test checks it), without a hex string per value.
 */
import { type Hex, bytesToHex, hexToBytes } from 'viem';
import { EngineError } from '../engine.errors';
import { WORD_BYTES, keccakBytes, writeInt256Word } from './int256-word';
import { type TensorValues, tensorRootBytes } from './tensor-root';

export type { TensorValues } from './tensor-root';

/** abi.encode of one dynamic array: the offset word and the length word precede the items. */
const ARRAY_HEAD_BYTES = 2 * WORD_BYTES;

/** The bytes of abi.encode(int256[] values). */
export function encodeInt256Array(values: TensorValues): Uint8Array {
  const bytes = new Uint8Array(ARRAY_HEAD_BYTES + values.length * WORD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(WORD_BYTES - 4, WORD_BYTES);
  view.setUint32(ARRAY_HEAD_BYTES - 4, values.length);
  for (let i = 0; i < values.length; i++)
    writeInt256Word(bytes, view, ARRAY_HEAD_BYTES + i * WORD_BYTES, values[i]);
  return bytes;
}

/** keccak256(abi.encode(int256[] values)): the commitment of an input or output (fixed point). */
export function commitTensor(values: TensorValues): Hex {
  return bytesToHex(keccakBytes(encodeInt256Array(values)));
}

/** keccak256(abi.encode(bytes32[] words)) over 32-byte words. */
function commitWords(words: readonly Uint8Array[]): Hex {
  const bytes = new Uint8Array(ARRAY_HEAD_BYTES + words.length * WORD_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(WORD_BYTES - 4, WORD_BYTES);
  view.setUint32(ARRAY_HEAD_BYTES - 4, words.length);
  words.forEach((word, i) => bytes.set(word, ARRAY_HEAD_BYTES + i * WORD_BYTES));
  return bytesToHex(keccakBytes(bytes));
}

/** The tensor roots of a trace: tensor 0 (the quantized input), then the output of every step in order. */
export function traceTensorRoots(input: TensorValues, stepOutputs: readonly TensorValues[]): Hex[] {
  return [input, ...stepOutputs].map((values) => bytesToHex(tensorRootBytes(values)));
}

/** keccak256(abi.encode(bytes32[] tensorRoots)). */
export function traceCommitmentFromRoots(tensorRoots: readonly Hex[]): Hex {
  return commitWords(
    tensorRoots.map((root) => {
      if (!/^0x[0-9a-fA-F]{64}$/.test(root))
        throw new EngineError('INVALID_ARGUMENT', `tensor root ${root} is not a bytes32`);
      return hexToBytes(root);
    }),
  );
}

/**
 * The trace commitment (v2) of one evaluation: `input` is the quantized input (tensor 0, the
 * evaluator's `inputFixed`), `stepOutputs[i]` the output of step i (the evaluator's
 * `trace[i].values`, or OnnxRuntimeBackend.runTraced's `trace[n][i]`).
 */
export function commitTrace(input: TensorValues, stepOutputs: readonly TensorValues[]): Hex {
  return commitWords([input, ...stepOutputs].map((values) => tensorRootBytes(values)));
}
