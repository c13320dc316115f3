/**
 * TypeScript twins of circuits/lib/commitment.circom: the same packing and Poseidon chain, so the
 * service can compute the input commitment a circuit will expose before (or without) proving.
 * Poseidon is circomlibjs's, which equals circomlib's in-circuit Poseidon (docs: NOTES-zk).
 */
import { ZkError } from './zk.errors';

/** Field elements a packed value may span and stay injective (k * n <= 252 < log2 p). */
export const PACKED_FIELD_BITS = 252;
/** Inputs absorbed per Poseidon(16) call of the chain (the 16th input is the running state). */
export const POSEIDON_CHAIN_BLOCK_SIZE = 15;

interface PoseidonField {
  toObject(element: Uint8Array): bigint;
}
interface Poseidon {
  (inputs: bigint[]): Uint8Array;
  F: PoseidonField;
}
interface CircomlibJs {
  buildPoseidon(): Promise<Poseidon>;
}

let poseidonInstance: Promise<Poseidon> | undefined;

/** circomlibjs's Poseidon, built once per process (it instantiates a wasm module). */
function poseidon(): Promise<Poseidon> {
  if (!poseidonInstance) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const circomlibjs = require('circomlibjs') as CircomlibJs;
    poseidonInstance = circomlibjs.buildPoseidon();
    poseidonInstance.catch(() => (poseidonInstance = undefined));
  }
  return poseidonInstance;
}

/** Bit length of a non-negative integer (0 for 0). */
function bitLength(value: bigint): number {
  return value <= 0n ? 0 : value.toString(2).length;
}

/** SignedRange's n for [-bound, bound]: the smallest n >= 2 with bound < 2^(n-1). */
export function signedBitsFor(bound: bigint): number {
  if (bound < 0n) throw new ZkError('ZK_INPUT_INVALID', `a bound must be non-negative, got ${bound}`);
  return Math.max(2, bitLength(bound) + 1);
}

/** CommitSignedVector's n for offset = bound: v + bound in [0, 2^n) for every |v| <= bound. */
export function offsetBitsFor(bound: bigint): number {
  if (bound < 0n) throw new ZkError('ZK_INPUT_INVALID', `a bound must be non-negative, got ${bound}`);
  return Math.max(1, bitLength(2n * bound));
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > PACKED_FIELD_BITS) {
    throw new ZkError('ZK_INPUT_INVALID', `a packing width must be an integer in [1, ${PACKED_FIELD_BITS}] bits, got ${bits}`);
  }
}

/** PackRange(k, n): sum values[i] * 2^(n*i), each value in [0, 2^n), k * n <= 252. */
export function packRange(values: readonly bigint[], bits: number): bigint {
  checkBits(bits);
  if (values.length < 1 || values.length * bits > PACKED_FIELD_BITS) {
    throw new ZkError('ZK_INPUT_INVALID', `cannot pack ${values.length} values of ${bits} bits into one field element (at most ${PACKED_FIELD_BITS} bits)`);
  }
  const limit = 1n << BigInt(bits);
  let packed = 0n;
  values.forEach((value, i) => {
    if (value < 0n || value >= limit) {
      throw new ZkError('ZK_INPUT_INVALID', `value ${i} is ${value}, packing needs [0, 2^${bits} - 1]`, { index: i });
    }
    packed += value << BigInt(bits * i);
  });
  return packed;
}

/** circomlib's Poseidon(k) of 1 to 16 field elements (each reduced modulo p by circomlibjs). */
export async function poseidonHash(inputs: readonly bigint[]): Promise<bigint> {
  if (inputs.length < 1 || inputs.length > 16) {
    throw new ZkError('ZK_INPUT_INVALID', `Poseidon takes 1 to 16 inputs, got ${inputs.length}`);
  }
  const hash = await poseidon();
  return hash.F.toObject(hash([...inputs]));
}

/** PoseidonChain(m): state = 0; per block of 15 (zero-padded): state = Poseidon([state, block]). */
export async function poseidonChain(fields: readonly bigint[]): Promise<bigint> {
  if (fields.length < 1) throw new ZkError('ZK_INPUT_INVALID', 'a Poseidon chain needs at least one field element');
  let state = 0n;
  for (let start = 0; start < fields.length; start += POSEIDON_CHAIN_BLOCK_SIZE) {
    const block = fields.slice(start, start + POSEIDON_CHAIN_BLOCK_SIZE);
    while (block.length < POSEIDON_CHAIN_BLOCK_SIZE) block.push(0n);
    state = await poseidonHash([state, ...block]);
  }
  return state;
}

/**
 * CommitSignedVector(count, n, offset): each v + offset must lie in [0, 2^n); the shifted values
 * are packed floor(252 / n) per field element (last group shorter) and chained with Poseidon.
 */
export async function commitSignedVector(values: readonly bigint[], bits: number, offset: bigint): Promise<bigint> {
  checkBits(bits);
  if (offset < 0n) throw new ZkError('ZK_INPUT_INVALID', `the commitment offset must be non-negative, got ${offset}`);
  if (values.length < 1) throw new ZkError('ZK_INPUT_INVALID', 'cannot commit to an empty vector');
  const limit = 1n << BigInt(bits);
  const shifted = values.map((value, i) => {
    const v = value + offset;
    if (v < 0n || v >= limit) {
      throw new ZkError('ZK_INPUT_INVALID', `value ${i} is ${value}, the commitment accepts [${-offset}, ${limit - 1n - offset}] (offset ${offset}, ${bits} bits)`, {
        index: i,
        value: value.toString(),
      });
    }
    return v;
  });
  const perGroup = Math.floor(PACKED_FIELD_BITS / bits);
  const packed: bigint[] = [];
  for (let start = 0; start < shifted.length; start += perGroup) packed.push(packRange(shifted.slice(start, start + perGroup), bits));
  return poseidonChain(packed);
}
