/**
 * Tensor and trace commitments (docs/semantics.md sections 8 and 9, format version 3):
 *   commitTensor(values)  = tensorRoot(values)                       (inputs and outputs, tensor-root.ts)
 *   tensorRoots           = [tensorRoot(input), tensorRoot(output of step 0), ...]   (stepCount + 1)
 *   traceCommitment       = the root of the ordered tree whose leaves are tensorRoots, padded with
 *                           bytes32(0) to a power of two, parent = keccak256(left ++ right)
 *
 * The dispute game descends the trace tree page by page (contracts/dispute/DisputeGame.sol), so a
 * commitment is a Merkle root and every move proves one node, never a whole array.
 * `encodeInt256Array` (abi.encode(int256[])) stays for the zk output hash.
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

/** The commitment of an input or output (fixed point), format v3: its tensor root. */
export function commitTensor(values: TensorValues): Hex {
  return bytesToHex(tensorRootBytes(values));
}

/** The root of the ordered tree over 32-byte leaves, padded with zero leaves to a power of two. */
export function wordTreeRoot(words: readonly Uint8Array[]): Uint8Array {
  if (words.length === 0) return new Uint8Array(WORD_BYTES);
  let width = 1;
  while (width < words.length) width *= 2;
  const level = new Uint8Array(width * WORD_BYTES);
  words.forEach((word, i) => level.set(word, i * WORD_BYTES));
  while (width > 1) {
    width /= 2;
    for (let i = 0; i < width; i++)
      level.set(keccakBytes(level.subarray(2 * i * WORD_BYTES, (2 * i + 2) * WORD_BYTES)), i * WORD_BYTES);
  }
  return level.slice(0, WORD_BYTES);
}

/** The tensor roots of a trace: tensor 0 (the quantized input), then the output of every step in order. */
export function traceTensorRoots(input: TensorValues, stepOutputs: readonly TensorValues[]): Hex[] {
  return [input, ...stepOutputs].map((values) => bytesToHex(tensorRootBytes(values)));
}

/** The trace commitment (v3): the Merkle root over the tensor roots. */
export function traceCommitmentFromRoots(tensorRoots: readonly Hex[]): Hex {
  return bytesToHex(
    wordTreeRoot(
      tensorRoots.map((root) => {
        if (!/^0x[0-9a-fA-F]{64}$/.test(root))
          throw new EngineError('INVALID_ARGUMENT', `tensor root ${root} is not a bytes32`);
        return hexToBytes(root);
      }),
    ),
  );
}

/**
 * The trace commitment (v3) of one evaluation: `input` is the quantized input (tensor 0, the
 * evaluator's `inputFixed`), `stepOutputs[i]` the output of step i (the evaluator's
 * `trace[i].values`, or OnnxRuntimeBackend.runTraced's `trace[n][i]`).
 */
export function commitTrace(input: TensorValues, stepOutputs: readonly TensorValues[]): Hex {
  return bytesToHex(wordTreeRoot([input, ...stepOutputs].map((values) => tensorRootBytes(values))));
}
