/**
 * One signature rule on both sides: the TypeScript check the API and the challenger apply to a
 * worker's result signature (src/chain/typed-data.ts, src/chain/signature.ts) against
 * contracts/libraries/LibSignature.sol on a real anvil, case by case: canonical signatures, their
 * malleated twins (high s, v in {0, 1}), other v values, other lengths and boundary values of r
 * and s. A signature one side accepts and the other refuses is how a worker's wrong result escapes
 * a dispute (docs/security.md, H2), so the two must agree on every case.
 */
import fc from 'fast-check';
import { getAddress, recoverAddress, type Address, type Hex, type TypedDataDomain } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { LibSignatureHarnessAbi, LibSignatureHarnessBytecode } from '../../../src/chain/generated/contracts';
import type { ResultLeaf } from '../../../src/chain/result-merkle';
import { canonicalSignature } from '../../../src/chain/signature';
import { RESULT_TYPES, recoverResultSigner, resultDigest, verityDomain } from '../../../src/chain/typed-data';
import { ANVIL_WORKER_KEYS } from '../../support/worker-auth';
import { bytes32, startChain, ZERO_ADDRESS, type Chain } from './contracts-fixture';

/** secp256k1's group order n, and n / 2: the largest s LibSignature accepts (written down here, not imported). */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

const word = (value: bigint): string => value.toString(16).padStart(64, '0');
const byte = (value: number): string => value.toString(16).padStart(2, '0');

interface Case {
  name: string;
  leaf: ResultLeaf;
  signature: Hex;
}

/** A signature split into its words, for rebuilding malleated forms. */
function parts(signature: Hex): { r: bigint; s: bigint; v: number } {
  return {
    r: BigInt(`0x${signature.slice(2, 66)}`),
    s: BigInt(`0x${signature.slice(66, 130)}`),
    v: parseInt(signature.slice(130, 132), 16),
  };
}

function build(r: bigint, s: bigint, v: number | null, extra = ''): Hex {
  return `0x${word(r)}${word(s)}${v === null ? '' : byte(v)}${extra}`;
}

/** Every way a worker (or anyone) can reshape one honest signature. */
function variants(name: string, leaf: ResultLeaf, signature: Hex): Case[] {
  const { r, s, v } = parts(signature);
  const flipped = v === 27 ? 28 : 27;
  const shapes: [string, Hex][] = [
    ['canonical', signature],
    ['v as y-parity (0 or 1)', build(r, s, v - 27)],
    ['high-s twin (n - s, v flipped)', build(r, N - s, flipped)],
    ['high-s twin with v as y-parity', build(r, N - s, flipped - 27)],
    ['high s with the same v', build(r, N - s, v)],
    ['v flipped with low s', build(r, s, flipped)],
    ...[2, 26, 29, 35, 36, 0x7f, 0xff].map((other): [string, Hex] => [`v = ${other}`, build(r, s, other)]),
    ['64 bytes (r, s)', build(r, s, null)],
    ['64 bytes EIP-2098 compact', build(r, s | (BigInt(v - 27) << 255n), null)],
    ['66 bytes (trailing zero byte)', build(r, s, v, '00')],
    ['66 bytes (trailing v)', build(r, s, v, byte(v))],
    ['130 bytes (twice)', `${signature}${signature.slice(2)}` as Hex],
    ['empty', '0x'],
    ['32 bytes', `0x${word(r)}`],
    ['s = 0', build(r, 0n, v)],
    ['r = 0', build(0n, s, v)],
    ['r = n', build(N, s, v)],
    ['s = n', build(r, N, v)],
    ['s = n / 2 (largest low s)', build(r, HALF_N, v)],
    ['s = n / 2 + 1 (smallest high s)', build(r, HALF_N + 1n, v)],
    ['s = n - 1', build(r, N - 1n, v)],
  ];
  return shapes.map(([shape, sig]) => ({ name: `${name}: ${shape}`, leaf, signature: sig }));
}

describe('LibSignature and the TypeScript signature rule', () => {
  let chain: Chain;
  let harness: Address;
  let domain: TypedDataDomain;
  const workers = ANVIL_WORKER_KEYS.map((key) => privateKeyToAccount(key));

  const leafFor = (worker: Address, n: number): ResultLeaf => ({
    requestId: bytes32(`request-${n}`),
    modelCommitment: bytes32('model'),
    inputCommitment: bytes32(`input-${n}`),
    outputCommitment: bytes32(`output-${n}`),
    traceCommitment: bytes32(`trace-${n}`),
    worker,
  });

  /** What LibSignature.recover returns for the leaf's digest (address(0): refused). */
  const onChain = async (leaf: ResultLeaf, signature: Hex): Promise<Address> =>
    getAddress(
      await chain.read<Address>({
        address: harness,
        abi: LibSignatureHarnessAbi,
        functionName: 'recover',
        args: [resultDigest(domain, leaf), signature],
      }),
    );
  /** What the API and the challenger accept (null: refused), as the contract would say it. */
  const offChain = async (leaf: ResultLeaf, signature: Hex): Promise<Address> =>
    (await recoverResultSigner(domain, leaf, signature)) ?? ZERO_ADDRESS;

  async function cases(): Promise<Case[]> {
    const all: Case[] = [];
    for (const [i, worker] of workers.entries()) {
      for (const n of [1, 2, 3]) {
        const leaf = leafFor(worker.address, n + 10 * i);
        const signature = await worker.signTypedData({
          domain,
          types: RESULT_TYPES,
          primaryType: 'Result',
          message: leaf,
        });
        all.push(...variants(`worker ${i} leaf ${n}`, leaf, signature));
      }
    }
    return all;
  }

  beforeAll(async () => {
    chain = await startChain();
    harness = await chain.deployAs(chain.accounts[0], LibSignatureHarnessAbi, LibSignatureHarnessBytecode);
    domain = verityDomain(
      Number(await chain.publicClient.getChainId()),
      bytes32('settlement').slice(0, 42) as Address,
    );
  });
  afterAll(async () => chain?.anvil.stop());

  it('agrees with LibSignature on canonical, malleated, mis-versioned and mis-sized signatures', async () => {
    const all = await cases();
    const disagreements: string[] = [];
    for (const c of all) {
      const [solidity, typescript] = await Promise.all([
        onChain(c.leaf, c.signature),
        offChain(c.leaf, c.signature),
      ]);
      if (solidity !== typescript)
        disagreements.push(`${c.name}: LibSignature ${solidity}, TypeScript ${typescript}`);
    }
    expect(disagreements).toEqual([]);
    // The set is not vacuous: every honest signature passes, every malleated twin is refused.
    const canonical = all.filter((c) => c.name.endsWith(': canonical'));
    for (const c of canonical) expect(await offChain(c.leaf, c.signature)).toBe(c.leaf.worker);
    const twins = all.filter((c) => c.name.includes('high-s twin') || c.name.includes('y-parity'));
    for (const c of twins) expect(await onChain(c.leaf, c.signature)).toBe(ZERO_ADDRESS);
  });

  it('agrees with LibSignature on random r, s and v', async () => {
    const leaf = leafFor(workers[0].address, 99);
    const samples = fc.sample(
      fc.record({
        r: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
        s: fc.oneof(
          fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
          fc.bigInt({ min: HALF_N - 2n, max: HALF_N + 2n }),
        ),
        v: fc.oneof(fc.constantFrom(0, 1, 27, 28), fc.integer({ min: 0, max: 255 })),
      }),
      { numRuns: 60, seed: 18 },
    );
    for (const { r, s, v } of samples) {
      const signature = build(r, s, v);
      expect(`${signature}: ${await offChain(leaf, signature)}`).toBe(
        `${signature}: ${await onChain(leaf, signature)}`,
      );
    }
  });

  it('turns every malleated form of an honest signature into the one canonical twin LibSignature accepts', async () => {
    for (const c of await cases()) {
      const twin = canonicalSignature(c.signature);
      let lenient: Address | null;
      try {
        lenient = await recoverAddress({ hash: resultDigest(domain, c.leaf), signature: c.signature });
      } catch {
        lenient = null;
      }
      if (twin === null) {
        // Only what no reading of (r, s, v) recovers, or what LibSignature refuses anyway, stays refused.
        expect(`${c.name}: ${await onChain(c.leaf, c.signature)}`).toBe(`${c.name}: ${ZERO_ADDRESS}`);
        continue;
      }
      expect(`${c.name}: ${await onChain(c.leaf, twin)}`).toBe(`${c.name}: ${lenient ?? ZERO_ADDRESS}`);
      expect(canonicalSignature(twin)).toBe(twin);
    }
  });
});
