/**
 * ABI words by hand: a value as one 32-byte big-endian two's complement int256 word, written into
 * a zeroed buffer, and keccak256 over bytes. Safe-integer numbers (every engine tensor value) take a
 * path with no BigInt. keccak256 is js-sha3's (about 4x faster than viem's here; the tensor-root
 * spec checks both give the same hashes).
 */
import { keccak256 as jsSha3Keccak256 } from 'js-sha3';
import { EngineError } from '../engine.errors';

export type WordValue = number | bigint | string;

export const WORD_BYTES = 32;
const TWO_POW_32 = 2 ** 32;
const INT256_MIN = -(2n ** 255n);
const INT256_MAX = 2n ** 255n - 1n;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** keccak256 of `data` as 32 bytes. */
export function keccakBytes(data: Uint8Array): Uint8Array {
  return new Uint8Array(jsSha3Keccak256.arrayBuffer(data));
}

/** A safe integer as a two's complement int256 word at `offset` (the word must be zeroed). */
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

/** Write one int256 word at `offset` of a zeroed region; refuses non-integers and values outside int256. */
export function writeInt256Word(bytes: Uint8Array, view: DataView, offset: number, value: WordValue): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      throw new EngineError('INVALID_ARGUMENT', `tensor value ${value} is not a safe integer`);
    writeSafeInteger(bytes, view, offset, value);
  } else {
    writeBigInt(bytes, view, offset, BigInt(value));
  }
}
