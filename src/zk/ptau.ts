/**
 * Powers of tau (phase 1 of the Groth16 setup): the development files Verity generates and caches
 * under `<cacheDir>/ptau/`, and the checks on a file an operator supplies.
 *
 * A development ptau has one contributor: whoever generated it knows tau and can forge proofs for
 * every circuit set up on it. Every use prints DEV_PTAU_WARNING. Production needs a phase-1 file
 * from a public ceremony (Perpetual Powers of Tau, Hermez), given with VERITY_PTAU_PATH and checked
 * by verifyOperatorPtau(). The file format itself is read in ptau-file.ts.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { writeDevPtau } from './dev-ptau';
import { MAX_PTAU_POWER, devPtauPath, readPtauInfo, type PtauInfo } from './ptau-file';
import { collectingLogger, snarkjs, withCurve } from './snarkjs';
import { ZkError } from './zk.errors';

export { MAX_PTAU_POWER, devPtauPath, readPtauInfo, requiredPtauPower, type PtauInfo } from './ptau-file';

export const DEV_PTAU_WARNING =
  '!!! DEVELOPMENT POWERS OF TAU: generated on this machine by a single party. Whoever ran it can forge ' +
  'proofs for every circuit set up on it. Never use it in production: supply a phase-1 file from a public ' +
  'ceremony (Perpetual Powers of Tau / Hermez) with VERITY_PTAU_PATH. !!!';

export type ProgressFn = (stage: string, detail: string) => void;
export interface WarnLogger {
  warn(message: string): void;
}

let defaultLog: WarnLogger | undefined;
function zkLog(): WarnLogger {
  defaultLog ??= pino({ name: 'zk-setup' });
  return defaultLog;
}

/** sha256 (hex) of a file, streamed. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** Seconds since `start`, for progress lines. */
export function elapsed(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}

export interface DevPtauRequest {
  power: number;
  cacheDir: string;
  onProgress?: ProgressFn;
  log?: WarnLogger;
}

/**
 * Path of a prepared development ptau of exactly `power` (so of at least `power`): the cached one,
 * else one truncated from a larger cached dev ptau, else a new one written from its secrets
 * (writeDevPtau: seconds for small powers, about half a minute for 2^15 on 2 cores).
 */
export async function ensureDevPtau(request: DevPtauRequest): Promise<string> {
  const { power, cacheDir, onProgress } = request;
  if (!Number.isInteger(power) || power < 1 || power > MAX_PTAU_POWER) {
    throw new ZkError(
      'PTAU_INVALID',
      `ptau power must be an integer from 1 to ${MAX_PTAU_POWER}, got ${power}`,
    );
  }
  const target = devPtauPath(cacheDir, power);
  mkdirSync(join(resolve(cacheDir), 'ptau'), { recursive: true });
  if (!isUsableDevPtau(target)) {
    const larger = findLargerDevPtau(cacheDir, power);
    if (larger) await truncateDevPtau(larger, power, target, onProgress);
    else await generateDevPtau(power, target, onProgress);
  }
  onProgress?.('ptau', DEV_PTAU_WARNING);
  (request.log ?? zkLog()).warn(DEV_PTAU_WARNING);
  return target;
}

function isUsableDevPtau(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return readPtauInfo(path).prepared;
  } catch {
    return false;
  }
}

function findLargerDevPtau(cacheDir: string, power: number): string | undefined {
  for (let larger = power + 1; larger <= MAX_PTAU_POWER; larger++) {
    const path = devPtauPath(cacheDir, larger);
    if (isUsableDevPtau(path)) return path;
  }
  return undefined;
}

/** A scratch directory next to the cache entry, removed afterwards whatever happens. */
async function inScratch<T>(target: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(`${target}.tmp-`);
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `powersoftau truncate` keeps the Lagrange sections of a prepared file, so its output is prepared
 * too; should it ever not be, it is prepared here (quick for the small powers one truncates to).
 */
async function truncateDevPtau(
  source: string,
  power: number,
  target: string,
  onProgress?: ProgressFn,
): Promise<void> {
  const start = Date.now();
  onProgress?.('ptau', `truncating ${source} to power ${power}`);
  await inScratch(target, (dir) =>
    withCurve(async () => {
      await snarkjs.powersOfTau.truncate(source, join(dir, 'pot_'), collectingLogger());
      let truncated = join(dir, `pot_${String(power).padStart(2, '0')}.ptau`);
      if (!readPtauInfo(truncated).prepared) {
        onProgress?.('ptau', `truncated file is not prepared; preparing phase 2 (${elapsed(start)})`);
        const prepared = join(dir, 'prepared.ptau');
        await snarkjs.powersOfTau.preparePhase2(truncated, prepared, collectingLogger());
        truncated = prepared;
      }
      if (!readPtauInfo(truncated).prepared)
        throw new ZkError('SETUP_FAILED', `truncating ${source} gave no usable ptau`);
      renameSync(truncated, target);
    }),
  );
  onProgress?.('ptau', `power ${power} truncated from ${source} in ${elapsed(start)}`);
}

/**
 * A new development ptau, written directly from its secrets (dev-ptau.ts: about half a minute for
 * 2^15 on 2 cores) into a scratch file renamed into place, so a crash leaves no partial entry.
 */
async function generateDevPtau(power: number, target: string, onProgress?: ProgressFn): Promise<void> {
  const start = Date.now();
  onProgress?.('ptau', `generating a development ptau of power ${power}`);
  await inScratch(target, (dir) =>
    withCurve(async () => {
      const scratch = join(dir, 'dev.ptau');
      await writeDevPtau({ power, path: scratch, onProgress });
      if (!readPtauInfo(scratch).prepared)
        throw new ZkError('SETUP_FAILED', `the development ptau written to ${scratch} is not prepared for phase 2`);
      renameSync(scratch, target);
    }),
  );
  onProgress?.('ptau', `development ptau of power ${power} written to ${target} in ${elapsed(start)}`);
}

/**
 * Copies a prepared ptau (e.g. one generated by a script elsewhere) into the dev cache under its
 * power, through a temporary file renamed into place. Refuses a file still being written.
 */
export function adoptPtau(path: string, cacheDir: string): PtauInfo {
  const info = readPtauInfo(path);
  if (!info.prepared) {
    throw new ZkError(
      'PTAU_INVALID',
      `${path} is not prepared for phase 2: run \`snarkjs powersoftau prepare phase2\` on it first`,
    );
  }
  const target = devPtauPath(cacheDir, info.power);
  mkdirSync(join(resolve(cacheDir), 'ptau'), { recursive: true });
  if (resolve(path) !== target) {
    const scratch = `${target}.tmp-${process.pid}-${Date.now()}`;
    copyFileSync(path, scratch);
    renameSync(scratch, target);
  }
  return { ...info, path: target };
}

export interface OperatorPtauRequest {
  path: string;
  /** Power the circuit needs (requiredPtauPower()). */
  requiredPower: number;
  /** A positive verification is remembered under `<cacheDir>/ptau/verified/<sha256>.json`. */
  cacheDir: string;
  onProgress?: ProgressFn;
}

/**
 * Checks an operator-supplied ptau: large enough, prepared for phase 2, and a valid transcript
 * (`powersoftau verify`: minutes for large files; remembered by file hash, so it runs once).
 */
export async function verifyOperatorPtau(
  request: OperatorPtauRequest,
): Promise<PtauInfo & { sha256: string; cached: boolean }> {
  const { path, requiredPower, onProgress } = request;
  const info = readPtauInfo(path);
  if (info.power < requiredPower) {
    throw new ZkError(
      'PTAU_TOO_SMALL',
      `ptau ${path} has power ${info.power} (domain 2^${info.power}); the circuit needs power ${requiredPower}: ` +
        `its constraints plus public signals exceed 2^${requiredPower - 1}. Use a ceremony file of power ${requiredPower} or more`,
      { power: info.power, requiredPower },
    );
  }
  if (!info.prepared) {
    throw new ZkError(
      'PTAU_INVALID',
      `ptau ${path} is not prepared for phase 2 (run \`snarkjs powersoftau prepare phase2\`, or download the prepared "final" file)`,
    );
  }
  const start = Date.now();
  onProgress?.('ptau-verify', `hashing ${path}`);
  const sha256 = await sha256File(path);
  const record = join(resolve(request.cacheDir), 'ptau', 'verified', `${sha256}.json`);
  if (existsSync(record)) {
    onProgress?.('ptau-verify', `already verified (sha256 ${sha256.slice(0, 16)}...)`);
    return { ...info, sha256, cached: true };
  }
  onProgress?.(
    'ptau-verify',
    `verifying the transcript of ${path} (power ${info.power}; slow for large files)`,
  );
  const logger = collectingLogger((line) => onProgress?.('ptau-verify', `${line} (${elapsed(start)})`));
  const ok = await withCurve(() => snarkjs.powersOfTau.verify(path, logger)).catch((error: unknown) => {
    throw new ZkError(
      'PTAU_INVALID',
      `ptau ${path} cannot be verified: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      error,
    );
  });
  if (!ok) {
    throw new ZkError(
      'PTAU_INVALID',
      `ptau ${path} failed verification: ${logger.errors.join('; ') || 'snarkjs powersoftau verify returned false'}`,
    );
  }
  mkdirSync(join(resolve(request.cacheDir), 'ptau', 'verified'), { recursive: true });
  writeFileSync(record, JSON.stringify({ path, power: info.power, verifiedAt: new Date().toISOString() }));
  onProgress?.('ptau-verify', `verified in ${elapsed(start)}`);
  return { ...info, sha256, cached: false };
}
