/**
 * Writes a development powers of tau directly from its secrets, in seconds instead of the quarter
 * of an hour that `powersoftau new` + `contribute` + `prepare phase2` take for 2^15 on 2 cores.
 *
 * The file is exactly what snarkjs would write for one contribution on a fresh accumulator,
 * prepared for phase 2: the same sections, the same contribution record (public keys,
 * partial response hash, next challenge hash), so `snarkjs powersoftau verify` accepts it and
 * `zkey new` reads it. The difference is how the points are computed. snarkjs never knows the
 * secrets in one place: it multiplies every point of the previous accumulator by a power of the
 * contribution's key, then derives the Lagrange sections with an FFT over the group. Here the
 * maker holds tau, alpha and beta anyway (that is what makes a single-party file development-only),
 * so every point is some scalar times a generator: the scalar is computed in the field (the
 * Lagrange scalars in closed form), and the point by fixed-base multiplication in worker threads
 * (fixed-base.ts). The secrets live only in this function's memory and are not written anywhere.
 *
 * Sections (snarkjs's binfile "ptau", version 1): 1 header, 2 tauG1 (2^(p+1) - 1 points), 3 tauG2,
 * 4 alphaTauG1, 5 betaTauG1 (2^p each), 6 betaG2, 7 contributions, then 12..15 the Lagrange bases
 * of tauG1 (domains 2^0 .. 2^(p+1)), tauG2, alphaTauG1, betaTauG1 (domains 2^0 .. 2^p).
 */
import { randomBytes } from 'node:crypto';
import { BN254_SCALAR_FIELD, lagrangeScalars, powerScalars, scalarsToBytes } from './dev-ptau-scalars';
import type { CurveGroup } from './fixed-base';
import { FixedBasePool } from './fixed-base-pool';
import type { ProgressFn } from './ptau';
import { loadSnarkjsInternals, rootOfUnity } from './snarkjs-internals';
import { ZkError } from './zk.errors';

/** Points multiplied per pool call: bounds memory for large powers (2^16 G2 points: 8 MB). */
const POINTS_PER_BATCH = 1 << 16;
const SECTION = { tauG1: 2, tauG2: 3, alphaTauG1: 4, betaTauG1: 5, betaG2: 6, contributions: 7 } as const;
const LAGRANGE_SECTION = { tauG1: 12, tauG2: 13, alphaTauG1: 14, betaTauG1: 15 } as const;

export interface DevPtauWriteRequest {
  power: number;
  path: string;
  /** Name recorded in the contribution. */
  contributor?: string;
  onProgress?: ProgressFn;
  /** Worker threads for the group multiplications (default: the machine's cores). */
  threads?: number;
}

interface Secrets {
  tau: bigint;
  alpha: bigint;
  beta: bigint;
}

/** Writes a prepared single-contribution ptau of `power` to `path` (overwriting it). */
export async function writeDevPtau(request: DevPtauWriteRequest): Promise<void> {
  const { power, path, onProgress } = request;
  const start = Date.now();
  const step = (detail: string) => onProgress?.('ptau', `${detail} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  const lib = await loadSnarkjsInternals();
  const curve = lib.curve;
  const firstChallenge = lib.utils.calculateFirstChallengeHash(curve, power);
  const rng = await lib.misc.getRandomRng(randomBytes(64).toString('hex'));
  const key = lib.keypair.createPTauKey(curve, firstChallenge, rng);
  const secrets: Secrets = {
    tau: curve.Fr.toObject(key.tau.prvKey),
    alpha: curve.Fr.toObject(key.alpha.prvKey),
    beta: curve.Fr.toObject(key.beta.prvKey),
  };
  assertOffEveryDomain(secrets.tau, power + 1);

  const pool = new FixedBasePool(request.threads);
  const fd = await lib.binFile.createBinFile(path, 'ptau', 1, 11);
  try {
    await lib.utils.writePTauHeader(fd, curve, power);
    const n = 2 ** power;
    const responseHasher = lib.blake2b.create({ dkLen: 64 });
    responseHasher.update(firstChallenge);
    const starts: Partial<Record<number, number>> = {};
    const first: Record<string, Uint8Array> = {};
    const accumulator: [keyof typeof SECTION, CurveGroup, number, bigint][] = [
      ['tauG1', 'G1', 2 * n - 1, 1n],
      ['tauG2', 'G2', n, 1n],
      ['alphaTauG1', 'G1', n, secrets.alpha],
      ['betaTauG1', 'G1', n, secrets.beta],
    ];
    for (const [name, group, count, factor] of accumulator) {
      await lib.binFile.startWriteSection(fd, SECTION[name]);
      starts[SECTION[name]] = fd.pos;
      for (let from = 0; from < count; from += POINTS_PER_BATCH) {
        const scalars = powerScalars(secrets.tau, factor, from, Math.min(POINTS_PER_BATCH, count - from));
        const points = await pool.multiply(group, scalarsToBytes(scalars));
        if (from === 0) first[name] = points.slice(0, 2 * pointBytes(group));
        await fd.write(points);
        responseHasher.update(await curve[group].batchLEMtoC(points));
        step(`${name}: ${Math.min(count, from + POINTS_PER_BATCH)}/${count} points`);
      }
      await lib.binFile.endWriteSection(fd);
    }
    await lib.binFile.startWriteSection(fd, SECTION.betaG2);
    starts[SECTION.betaG2] = fd.pos;
    const betaG2 = await pool.multiply('G2', scalarsToBytes([secrets.beta]));
    await fd.write(betaG2);
    responseHasher.update(await curve.G2.batchLEMtoC(betaG2));
    await lib.binFile.endWriteSection(fd);

    const partialHash = lib.misc.toPartialHash(responseHasher);
    const publicKey = new Uint8Array(curve.G1.F.n8 * 2 * 6 + curve.G2.F.n8 * 2 * 3);
    lib.utils.toPtauPubKeyRpr(publicKey, 0, curve, key, false);
    responseHasher.update(publicKey);
    const responseHash = responseHasher.digest();

    const nextChallengeHasher = lib.blake2b.create({ dkLen: 64 });
    nextChallengeHasher.update(responseHash);
    const sections: [number, CurveGroup, number][] = [
      [SECTION.tauG1, 'G1', 2 * n - 1],
      [SECTION.tauG2, 'G2', n],
      [SECTION.alphaTauG1, 'G1', n],
      [SECTION.betaTauG1, 'G1', n],
      [SECTION.betaG2, 'G2', 1],
    ];
    const end = fd.pos;
    for (const [section, group, count] of sections) {
      fd.pos = starts[section] ?? 0;
      for (let from = 0; from < count; from += POINTS_PER_BATCH) {
        const points = await fd.read(Math.min(POINTS_PER_BATCH, count - from) * pointBytes(group));
        nextChallengeHasher.update(await curve[group].batchLEMtoU(points));
      }
    }
    fd.pos = end;
    step('accumulator hashed');

    const g1 = (bytes: Uint8Array, index: number) => curve.G1.fromRprLEM(bytes, index * 64);
    const g2 = (bytes: Uint8Array, index: number) => curve.G2.fromRprLEM(bytes, index * 128);
    await lib.utils.writeContributions(fd, curve, [
      {
        name: request.contributor ?? 'verity development ptau (single party)',
        type: 0,
        tauG1: g1(first.tauG1, 1),
        tauG2: g2(first.tauG2, 1),
        alphaG1: g1(first.alphaTauG1, 0),
        betaG1: g1(first.betaTauG1, 0),
        betaG2: g2(betaG2, 0),
        key,
        partialHash,
        nextChallenge: nextChallengeHasher.digest(),
      },
    ]);

    const lagrange: [keyof typeof LAGRANGE_SECTION, CurveGroup, bigint, number][] = [
      ['tauG1', 'G1', 1n, power + 1],
      ['tauG2', 'G2', 1n, power],
      ['alphaTauG1', 'G1', secrets.alpha, power],
      ['betaTauG1', 'G1', secrets.beta, power],
    ];
    for (const [name, group, factor, maxDomainPower] of lagrange) {
      await lib.binFile.startWriteSection(fd, LAGRANGE_SECTION[name]);
      for (let domainPower = 0; domainPower <= maxDomainPower; domainPower++) {
        // The largest tauG1 domain has one power of tau more than the file holds (2^(p+1) - 1
        // points): snarkjs's prepare phase2 takes the missing one as zero, and so does this.
        const truncated = name === 'tauG1' && domainPower === power + 1;
        const scalars = lagrangeScalars(secrets.tau, rootOfUnity(curve, domainPower), domainPower, factor, truncated);
        for (let from = 0; from < scalars.length; from += POINTS_PER_BATCH) {
          const batch = scalars.slice(from, from + POINTS_PER_BATCH);
          await fd.write(await pool.multiply(group, scalarsToBytes(batch)));
        }
      }
      await lib.binFile.endWriteSection(fd);
      step(`Lagrange basis of ${name} written`);
    }
  } finally {
    await fd.close();
    await pool.close();
  }
}

function pointBytes(group: CurveGroup): number {
  return group === 'G1' ? 64 : 128;
}

/** tau must not be a 2^k-th root of unity (k <= maxPower): the Lagrange scalars divide by tau - w^i. */
function assertOffEveryDomain(tau: bigint, maxPower: number): void {
  let power = tau;
  for (let k = 0; k <= maxPower; k++) {
    if (power === 1n) throw new ZkError('SETUP_FAILED', `tau is a 2^${k}-th root of unity; generate again`);
    power = (power * power) % BN254_SCALAR_FIELD;
  }
}
