/**
 * Tiny circuits and a tiny development setup for the zk integration specs. The ptau, the compiled
 * circuits and (where a spec wants it) the zkeys live in a cache under the OS temp directory, so a
 * second run reuses them; the first run generates a power-8 dev ptau (about 15 s on 2 cores).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compileCircuit, type CompiledCircuit } from '../../src/zk/circom-compiler';
import { setupCircuitKey, type CircuitKey } from '../../src/zk/phase2';
import { ensureDevPtau } from '../../src/zk/ptau';

/**
 * Shared across runs, spec files and checkouts (CI clones afresh on the same machine): ptau,
 * circuits, zkeys, all keyed by content.
 */
export const ZK_TEST_CACHE_DIR = join(homedir(), '.cache', 'verity', 'zk-test');
/** 2^8 = 256 constraints: far more than the test circuits need, and quick to generate. */
export const ZK_TEST_PTAU_POWER = 8;
export const TEST_BEACON = {
  hashHex: '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
  iterationsExp: 10,
};
export const silentLog = { warn: (_message: string) => undefined };

/**
 * z = x * y with x range-checked to BITS bits by Num2Bits (a real constraint, not an assert).
 * x is private, y public; the public signals are [z, y].
 */
export function mulCircuitSource(bits: number, offset = 0): string {
  return `pragma circom 2.1.0;
include "bitify.circom";

template MulInRange(BITS) {
    signal input x;
    signal input y;
    signal output z;
    component range = Num2Bits(BITS);
    range.in <== x;
    z <== x * y + ${offset};
}

component main { public [y] } = MulInRange(${bits});
`;
}

export interface ZkTestCircuit {
  circuit: CompiledCircuit;
  key: CircuitKey;
}

export async function testPtau(cacheDir = ZK_TEST_CACHE_DIR): Promise<string> {
  return ensureDevPtau({ power: ZK_TEST_PTAU_POWER, cacheDir, log: silentLog });
}

export async function compileTestCircuit(name: string, bits: number, offset = 0): Promise<CompiledCircuit> {
  return compileCircuit({ name, source: mulCircuitSource(bits, offset), cacheDir: ZK_TEST_CACHE_DIR });
}

/** Circuit 1 (x < 2^8, z = x*y) and circuit 2 (x < 2^16, z = x*y + 1), both set up (cached). */
export async function setUpTestCircuits(): Promise<{
  ptauPath: string;
  one: ZkTestCircuit;
  two: ZkTestCircuit;
}> {
  const ptauPath = await testPtau();
  const setUp = async (circuit: CompiledCircuit): Promise<ZkTestCircuit> => ({
    circuit,
    key: await setupCircuitKey({
      r1csPath: circuit.r1csPath,
      ptauPath,
      cacheDir: ZK_TEST_CACHE_DIR,
      contributions: [{ name: 'test contributor' }],
      beacon: TEST_BEACON,
    }),
  });
  return {
    ptauPath,
    one: await setUp(await compileTestCircuit('VerityTestMul8', 8)),
    two: await setUp(await compileTestCircuit('VerityTestMul16', 16, 1)),
  };
}
