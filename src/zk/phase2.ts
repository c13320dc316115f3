/**
 * Groth16 phase 2: the per-circuit proving key (zkey). `groth16 setup` on the r1cs and a prepared
 * ptau, then one `zkey contribute` per named contributor, then a public random beacon. The final
 * zkey is safe if at least one contributor (or the phase-1 ceremony) destroyed their secret.
 *
 * setupCircuitKey() caches the final zkey by (r1cs hash, ptau hash, contribution names, beacon),
 * so a circuit is set up once. contributeToZkey() lets a model owner or a consumer add their own
 * contribution to a published zkey; verifyZkeyTranscript() replays the whole transcript.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { elapsed, sha256File, type ProgressFn } from './ptau';
import { collectingLogger, snarkjs, withCurve, type VerificationKey } from './snarkjs';
import { ZkError } from './zk.errors';

const ZKEY_FILE = 'circuit_final.zkey';
const KEY_RECORD_FILE = 'circuit-key.json';
const MIN_BEACON_ITERATIONS_EXP = 10;
const MAX_BEACON_ITERATIONS_EXP = 63;

export interface ContributionInput {
  name: string;
  /** Extra entropy; snarkjs mixes it with 64 crypto-random bytes. Empty: crypto-random only. */
  entropy?: string;
}

export interface BeaconInput {
  /** Public randomness nobody controlled (e.g. a future block hash), hex without 0x. */
  hashHex: string;
  /** The beacon is hashed 2^iterationsExp times (10 to 63). */
  iterationsExp: number;
}

export interface ContributionRecord {
  name: string;
  /** blake2b-512 contribution hash (hex), as `snarkjs zkey verify` prints it. */
  hash: string;
}

export interface CircuitKeyRequest {
  r1csPath: string;
  ptauPath: string;
  cacheDir: string;
  contributions: ContributionInput[];
  beacon: BeaconInput;
  onProgress?: ProgressFn;
}

export interface CircuitKey {
  zkeyPath: string;
  /** sha256 (hex) of the final zkey file. */
  zkeyHash: string;
  verificationKey: VerificationKey;
  /** One per contribution, beacon last. */
  contributionHashes: ContributionRecord[];
  cached: boolean;
}

const fileHashes = new Map<string, string>();
/** sha256 of a file, remembered for as long as its path, size and mtime stay the same. */
async function cachedFileHash(path: string): Promise<string> {
  const stat = statSync(path);
  const key = `${resolve(path)}:${stat.size}:${stat.mtimeMs}`;
  const known = fileHashes.get(key);
  if (known) return known;
  const hash = await sha256File(path);
  fileHashes.set(key, hash);
  return hash;
}

/** Builds (or finds in the cache) the final zkey of a circuit. */
export async function setupCircuitKey(request: CircuitKeyRequest): Promise<CircuitKey> {
  validateSetupRequest(request);
  const r1csHash = await cachedFileHash(request.r1csPath);
  const keyHash = createHash('sha256')
    .update(
      JSON.stringify({
        r1csHash,
        ptau: await cachedFileHash(request.ptauPath),
        names: request.contributions.map((c) => c.name),
        beacon: request.beacon,
      }),
    )
    .digest('hex');
  const dir = join(resolve(request.cacheDir), 'zkeys', `${r1csHash.slice(0, 16)}-${keyHash.slice(0, 16)}`);
  const record = join(dir, KEY_RECORD_FILE);
  if (existsSync(record) && existsSync(join(dir, ZKEY_FILE))) {
    request.onProgress?.('setup', `zkey found in cache: ${dir}`);
    const known = JSON.parse(readFileSync(record, 'utf8')) as Omit<CircuitKey, 'cached' | 'zkeyPath'>;
    return { ...known, zkeyPath: join(dir, ZKEY_FILE), cached: true };
  }
  const scratch = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(scratch, { recursive: true });
  try {
    const built = await withCurve(() => buildCircuitKey(request, scratch));
    writeFileSync(join(scratch, KEY_RECORD_FILE), JSON.stringify(built, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
    return { ...built, zkeyPath: join(dir, ZKEY_FILE), cached: false };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function validateSetupRequest(request: CircuitKeyRequest): void {
  for (const path of [request.r1csPath, request.ptauPath]) {
    if (!existsSync(path)) throw new ZkError('SETUP_FAILED', `${path} does not exist`);
  }
  if (request.contributions.length === 0) {
    throw new ZkError('SETUP_FAILED', 'a phase-2 setup needs at least one named contribution');
  }
  const names = request.contributions.map((c) => c.name.trim());
  if (names.some((name) => name === '') || new Set(names).size !== names.length) {
    throw new ZkError(
      'SETUP_FAILED',
      `contribution names must be non-empty and distinct, got ${JSON.stringify(names)}`,
    );
  }
  validateBeacon(request.beacon);
}

function validateBeacon(beacon: BeaconInput): void {
  if (!/^([0-9a-fA-F]{2}){1,255}$/.test(beacon.hashHex)) {
    throw new ZkError('SETUP_FAILED', 'beacon hash must be 1 to 255 bytes of hex without 0x');
  }
  const exp = beacon.iterationsExp;
  if (!Number.isInteger(exp) || exp < MIN_BEACON_ITERATIONS_EXP || exp > MAX_BEACON_ITERATIONS_EXP) {
    throw new ZkError(
      'SETUP_FAILED',
      `beacon iterationsExp must be an integer from ${MIN_BEACON_ITERATIONS_EXP} to ${MAX_BEACON_ITERATIONS_EXP}, got ${exp}`,
    );
  }
}

async function buildCircuitKey(
  request: CircuitKeyRequest,
  scratch: string,
): Promise<Omit<CircuitKey, 'cached' | 'zkeyPath'>> {
  const start = Date.now();
  const progress = (stage: string, detail: string) =>
    request.onProgress?.(stage, `${detail} (${elapsed(start)})`);
  const logger = collectingLogger();
  let current = join(scratch, 'circuit_0000.zkey');
  progress('setup', 'groth16 setup');
  const setup = await snarkjs.zKey.newZKey(request.r1csPath, request.ptauPath, current, logger);
  if (setup === -1 || !existsSync(current)) {
    const reason = logger.errors.join('; ') || 'snarkjs groth16 setup failed';
    throw new ZkError(
      /too big/.test(reason) ? 'PTAU_TOO_SMALL' : 'SETUP_FAILED',
      `groth16 setup failed: ${reason}`,
    );
  }
  const contributionHashes: ContributionRecord[] = [];
  for (const [i, contribution] of request.contributions.entries()) {
    progress('contribute', `contribution ${i + 1}/${request.contributions.length}: ${contribution.name}`);
    const next = join(scratch, `circuit_${String(i + 1).padStart(4, '0')}.zkey`);
    const hash = await snarkjs.zKey.contribute(
      current,
      next,
      contribution.name,
      entropyOf(contribution),
      logger,
    );
    contributionHashes.push({ name: contribution.name, hash: Buffer.from(hash).toString('hex') });
    rmSync(current);
    current = next;
  }
  progress('beacon', `beacon 2^${request.beacon.iterationsExp} iterations`);
  const final = join(scratch, ZKEY_FILE);
  const beaconName = 'final beacon';
  const hash = await snarkjs.zKey.beacon(
    current,
    final,
    beaconName,
    request.beacon.hashHex,
    request.beacon.iterationsExp,
    logger,
  );
  if (hash === false) throw new ZkError('SETUP_FAILED', `zkey beacon failed: ${logger.errors.join('; ')}`);
  contributionHashes.push({ name: beaconName, hash: Buffer.from(hash).toString('hex') });
  rmSync(current);
  progress('export', 'exporting the verification key');
  const verificationKey = await snarkjs.zKey.exportVerificationKey(final, logger);
  const zkeyHash = await sha256File(final);
  progress('done', `zkey ${zkeyHash.slice(0, 16)}... with ${contributionHashes.length} contributions`);
  return { zkeyHash, verificationKey, contributionHashes };
}

function entropyOf(contribution: ContributionInput): string {
  // snarkjs asks on stdin when the entropy is empty: never let it.
  return contribution.entropy && contribution.entropy.length > 0
    ? contribution.entropy
    : randomBytes(64).toString('hex');
}

export interface ZkeyContributionRequest {
  inPath: string;
  outPath: string;
  name: string;
  entropy?: string;
  onProgress?: ProgressFn;
}

/** Adds one contribution to an existing zkey (download, contribute, upload). */
export async function contributeToZkey(
  request: ZkeyContributionRequest,
): Promise<{ contributionHash: string; zkeyHash: string }> {
  if (!existsSync(request.inPath)) throw new ZkError('SETUP_FAILED', `${request.inPath} does not exist`);
  if (request.name.trim() === '') throw new ZkError('SETUP_FAILED', 'a contribution needs a name');
  const start = Date.now();
  request.onProgress?.('contribute', `contributing "${request.name}" to ${request.inPath}`);
  mkdirSync(dirname(resolve(request.outPath)), { recursive: true });
  const scratch = `${request.outPath}.tmp-${process.pid}-${Date.now()}`;
  try {
    const hash = await withCurve(() =>
      snarkjs.zKey.contribute(
        request.inPath,
        scratch,
        request.name,
        entropyOf({ name: request.name, entropy: request.entropy }),
        collectingLogger(),
      ),
    );
    renameSync(scratch, request.outPath);
    const result = {
      contributionHash: Buffer.from(hash).toString('hex'),
      zkeyHash: await sha256File(request.outPath),
    };
    request.onProgress?.('contribute', `contributed in ${elapsed(start)}`);
    return result;
  } catch (error) {
    throw error instanceof ZkError
      ? error
      : new ZkError('SETUP_FAILED', `zkey contribute failed: ${String(error)}`, undefined, error);
  } finally {
    rmSync(scratch, { force: true });
  }
}

export interface TranscriptRequest {
  r1csPath: string;
  ptauPath: string;
  zkeyPath: string;
  onProgress?: ProgressFn;
}

/**
 * Replays a zkey's transcript from the r1cs and the ptau (`snarkjs zkey verify`): every
 * contribution follows from the previous one and the key belongs to this circuit. Throws
 * TRANSCRIPT_INVALID with snarkjs's reason when it does not.
 */
export async function verifyZkeyTranscript(
  request: TranscriptRequest,
): Promise<{ ok: true; contributions: ContributionRecord[] }> {
  const start = Date.now();
  request.onProgress?.('zkey-verify', `verifying ${request.zkeyPath}`);
  const logger = collectingLogger();
  let ok: boolean;
  try {
    ok = await withCurve(() =>
      snarkjs.zKey.verifyFromR1cs(request.r1csPath, request.ptauPath, request.zkeyPath, logger),
    );
  } catch (error) {
    throw new ZkError(
      'TRANSCRIPT_INVALID',
      `zkey ${request.zkeyPath} cannot be verified: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      error,
    );
  }
  if (!ok) {
    const reason =
      logger.errors.join('; ') ||
      'a contribution does not follow from the previous one (inconsistent transcript)';
    throw new ZkError(
      'TRANSCRIPT_INVALID',
      `zkey ${request.zkeyPath} does not verify against this r1cs and ptau: ${reason}`,
    );
  }
  request.onProgress?.('zkey-verify', `verified in ${elapsed(start)}`);
  return { ok: true, contributions: parseContributions(logger.lines) };
}

/** Reads `contribution #<n> <name>:` + hash lines from snarkjs's verify log, in order. */
export function parseContributions(lines: string[]): ContributionRecord[] {
  const found: { index: number; record: ContributionRecord }[] = [];
  for (const line of lines) {
    const match = /^contribution #(\d+) (.*):\n((?:\s*[0-9a-f]{8}){16})\s*$/.exec(line);
    if (match)
      found.push({ index: Number(match[1]), record: { name: match[2], hash: match[3].replace(/\s+/g, '') } });
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.record);
}
