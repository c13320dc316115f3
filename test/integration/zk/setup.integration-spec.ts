import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  contributeToZkey,
  setupCircuitKey,
  verifyZkeyTranscript,
  type CircuitKey,
} from '../../../src/zk/phase2';
import {
  DEV_PTAU_WARNING,
  adoptPtau,
  devPtauPath,
  ensureDevPtau,
  readPtauInfo,
  verifyOperatorPtau,
} from '../../../src/zk/ptau';
import type { CompiledCircuit } from '../../../src/zk/circom-compiler';
import { TEST_BEACON, compileTestCircuit, silentLog, testPtau } from '../../support/zk-fixtures';

/** The test circuit has 9 constraints and 2 public signals: it needs power 4. */
const SMALL_POWER = 5;

describe('zk trusted setup', () => {
  let dir: string;
  let ptauPath: string;
  let one: CompiledCircuit;
  let two: CompiledCircuit;
  let key: CircuitKey;
  /** The ceremony the shared test ptau comes from (itself generated, or truncated from a larger cached one). */
  let sharedCeremonyPower: number;
  const warnings: string[] = [];
  const progress: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verity-zk-setup-'));
    const shared = await testPtau();
    sharedCeremonyPower = readPtauInfo(shared).ceremonyPower;
    adoptPtau(shared, dir);
    ptauPath = await ensureDevPtau({
      power: SMALL_POWER,
      cacheDir: dir,
      log: { warn: (message) => warnings.push(message) },
      onProgress: (stage, detail) => progress.push(`${stage}: ${detail}`),
    });
    one = await compileTestCircuit('VerityTestMul8', 8);
    two = await compileTestCircuit('VerityTestMul16', 16, 1);
    key = await setupCircuitKey({
      r1csPath: one.r1csPath,
      ptauPath,
      cacheDir: dir,
      contributions: [{ name: 'model owner', entropy: 'owner entropy' }, { name: 'service operator' }],
      beacon: TEST_BEACON,
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('powers of tau', () => {
    it('derives a smaller dev ptau by truncating a larger cached one, prepared for phase 2', () => {
      expect(ptauPath).toBe(devPtauPath(dir, SMALL_POWER));
      expect(progress.some((line) => line.includes('truncated from'))).toBe(true);
      expect(readPtauInfo(ptauPath)).toMatchObject({
        power: SMALL_POWER,
        ceremonyPower: sharedCeremonyPower,
        prepared: true,
      });
      expect(sharedCeremonyPower).toBeGreaterThanOrEqual(8);
    });

    it('warns loudly, through the logger and the progress callback, every time a dev ptau is used', async () => {
      await ensureDevPtau({
        power: SMALL_POWER,
        cacheDir: dir,
        log: { warn: (message) => warnings.push(message) },
      });
      expect(warnings).toEqual([DEV_PTAU_WARNING, DEV_PTAU_WARNING]);
      expect(progress).toContain(`ptau: ${DEV_PTAU_WARNING}`);
      expect(DEV_PTAU_WARNING).toMatch(/forge proofs.*VERITY_PTAU_PATH/);
    });

    it('refuses to adopt a ptau file that is still being written', () => {
      const partial = join(dir, 'partial.ptau');
      const bytes = readFileSync(ptauPath);
      writeFileSync(partial, bytes.subarray(0, bytes.length - 1000));
      expect(() => adoptPtau(partial, join(dir, 'other-cache'))).toThrow(
        expect.objectContaining({ code: 'PTAU_INVALID' }),
      );
    });

    it('verifies an operator ptau once, then remembers it by file hash', async () => {
      const cacheDir = join(dir, 'operator');
      const first = await verifyOperatorPtau({ path: ptauPath, requiredPower: 4, cacheDir });
      expect(first).toMatchObject({ power: SMALL_POWER, cached: false });
      const second = await verifyOperatorPtau({ path: ptauPath, requiredPower: 4, cacheDir });
      expect(second).toMatchObject({ sha256: first.sha256, cached: true });
    });

    it('refuses an operator ptau too small for the circuit, naming the power it needs', async () => {
      await expect(
        verifyOperatorPtau({ path: ptauPath, requiredPower: 12, cacheDir: dir }),
      ).rejects.toMatchObject({
        code: 'PTAU_TOO_SMALL',
        message: expect.stringMatching(/has power 5.*needs power 12/),
      });
    });

    it('rejects an operator ptau whose points were tampered with', async () => {
      const tampered = join(dir, 'tampered.ptau');
      copyFileSync(ptauPath, tampered);
      const bytes = readFileSync(tampered);
      bytes[200] ^= 0x01; // inside tauG1 (section 2)
      writeFileSync(tampered, bytes);
      await expect(
        verifyOperatorPtau({ path: tampered, requiredPower: 4, cacheDir: join(dir, 'tampered-cache') }),
      ).rejects.toMatchObject({
        code: 'PTAU_INVALID',
      });
    });
  });

  describe('groth16 phase 2', () => {
    it('records both contributions and the beacon, and the transcript verifies with their names', async () => {
      expect(key.cached).toBe(false);
      expect(key.contributionHashes.map((c) => c.name)).toEqual([
        'model owner',
        'service operator',
        'final beacon',
      ]);
      expect(key.verificationKey).toMatchObject({ protocol: 'groth16', curve: 'bn128', nPublic: 2 });
      expect(key.zkeyHash).toMatch(/^[0-9a-f]{64}$/);
      const transcript = await verifyZkeyTranscript({
        r1csPath: one.r1csPath,
        ptauPath,
        zkeyPath: key.zkeyPath,
      });
      expect(transcript).toEqual({ ok: true, contributions: key.contributionHashes });
    });

    it('builds the key once: a second setup with the same inputs is a cache hit', async () => {
      const again = await setupCircuitKey({
        r1csPath: one.r1csPath,
        ptauPath,
        cacheDir: dir,
        contributions: [{ name: 'model owner' }, { name: 'service operator' }],
        beacon: TEST_BEACON,
      });
      expect(again).toMatchObject({ cached: true, zkeyHash: key.zkeyHash, zkeyPath: key.zkeyPath });
    });

    it('rejects a zkey whose bytes were tampered with', async () => {
      const tampered = join(dir, 'tampered.zkey');
      const bytes = readFileSync(key.zkeyPath);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      writeFileSync(tampered, bytes);
      await expect(
        verifyZkeyTranscript({ r1csPath: one.r1csPath, ptauPath, zkeyPath: tampered }),
      ).rejects.toMatchObject({
        code: 'TRANSCRIPT_INVALID',
      });
    });

    it('rejects a zkey made for a different circuit', async () => {
      await expect(
        verifyZkeyTranscript({ r1csPath: two.r1csPath, ptauPath, zkeyPath: key.zkeyPath }),
      ).rejects.toMatchObject({
        code: 'TRANSCRIPT_INVALID',
        message: expect.stringContaining('does not verify against this r1cs'),
      });
    });

    it('accepts a third party contribution to a published zkey, and the transcript still verifies', async () => {
      const outPath = join(dir, 'contributed', 'circuit_consumer.zkey');
      const added = await contributeToZkey({
        inPath: key.zkeyPath,
        outPath,
        name: 'consumer',
        entropy: 'consumer entropy',
      });
      const transcript = await verifyZkeyTranscript({ r1csPath: one.r1csPath, ptauPath, zkeyPath: outPath });
      expect(transcript.contributions.map((c) => c.name)).toEqual([
        'model owner',
        'service operator',
        'final beacon',
        'consumer',
      ]);
      expect(transcript.contributions[3].hash).toBe(added.contributionHash);
      expect(added.zkeyHash).not.toBe(key.zkeyHash);
    });

    it('refuses a setup on a ptau too small for the circuit', async () => {
      const tiny = await ensureDevPtau({ power: 3, cacheDir: dir, log: silentLog });
      await expect(
        setupCircuitKey({
          r1csPath: one.r1csPath,
          ptauPath: tiny,
          cacheDir: dir,
          contributions: [{ name: 'a' }],
          beacon: TEST_BEACON,
        }),
      ).rejects.toMatchObject({ code: 'PTAU_TOO_SMALL' });
    });

    it('refuses a beacon outside what snarkjs accepts, before doing any work', async () => {
      await expect(
        setupCircuitKey({
          r1csPath: one.r1csPath,
          ptauPath,
          cacheDir: dir,
          contributions: [{ name: 'a' }],
          beacon: { hashHex: 'zz', iterationsExp: 10 },
        }),
      ).rejects.toMatchObject({ code: 'SETUP_FAILED' });
      await expect(
        setupCircuitKey({
          r1csPath: one.r1csPath,
          ptauPath,
          cacheDir: dir,
          contributions: [{ name: 'a' }],
          beacon: { hashHex: 'ab', iterationsExp: 9 },
        }),
      ).rejects.toMatchObject({ code: 'SETUP_FAILED' });
    });
  });
});
