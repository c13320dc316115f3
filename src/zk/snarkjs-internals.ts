/**
 * The parts of snarkjs 0.7.6 that its public API does not export but that a powers-of-tau writer
 * needs to produce files snarkjs accepts: the contribution key (keypair.js), the header and
 * contribution records (powersoftau_utils.js), the partial response hash (misc.js), its binfile
 * writer and its blake2b. They load from snarkjs's own ES module sources, pinned by the lock file,
 * so the format is snarkjs's by construction rather than copied.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importEsm } from '../common/esm-import';
import { snarkjs } from './snarkjs';
import { ZkError } from './zk.errors';

type Bytes = Uint8Array;
/** ffjavascript curve points and field elements are opaque here. */
type Point = unknown;
type FieldElement = unknown;

interface Group {
  F: { n8: number };
  fromRprLEM(buffer: Bytes, offset?: number): Point;
  batchLEMtoC(buffer: Bytes): Promise<Bytes>;
  batchLEMtoU(buffer: Bytes): Promise<Bytes>;
}

export interface Bn128Curve {
  G1: Group;
  G2: Group;
  Fr: { toObject(element: FieldElement): bigint; w: FieldElement[] };
}

export interface PtauKeyPart {
  prvKey: FieldElement;
}
export interface PtauKey {
  tau: PtauKeyPart;
  alpha: PtauKeyPart;
  beta: PtauKeyPart;
}

interface BinFile {
  pos: number;
  write(buffer: Bytes): Promise<void>;
  read(length: number): Promise<Bytes>;
  close(): Promise<void>;
}

interface Hasher {
  update(data: Bytes): Hasher;
  digest(): Bytes;
}

export interface SnarkjsInternals {
  curve: Bn128Curve;
  keypair: { createPTauKey(curve: Bn128Curve, challengeHash: Bytes, rng: unknown): PtauKey };
  utils: {
    calculateFirstChallengeHash(curve: Bn128Curve, power: number): Bytes;
    writePTauHeader(fd: BinFile, curve: Bn128Curve, power: number, ceremonyPower?: number): Promise<void>;
    writeContributions(fd: BinFile, curve: Bn128Curve, contributions: object[]): Promise<void>;
    toPtauPubKeyRpr(buffer: Bytes, offset: number, curve: Bn128Curve, key: PtauKey, montgomery: boolean): void;
  };
  misc: { getRandomRng(entropy: string): Promise<unknown>; toPartialHash(hasher: Hasher): Bytes };
  binFile: {
    createBinFile(path: string, type: string, version: number, sections: number): Promise<BinFile>;
    startWriteSection(fd: BinFile, section: number): Promise<void>;
    endWriteSection(fd: BinFile): Promise<void>;
  };
  blake2b: { create(options: { dkLen: number }): Hasher };
}

interface CurveHolder {
  curve_bn128?: unknown;
}

let modules: Promise<Omit<SnarkjsInternals, 'curve'>> | undefined;

function loadModules(): Promise<Omit<SnarkjsInternals, 'curve'>> {
  const source = join(dirname(require.resolve('snarkjs')), '..', 'src');
  const load = <T>(file: string) => importEsm<T>(pathToFileURL(join(source, file)).href);
  const holder = globalThis as CurveHolder;
  // ffjavascript's ES module build sets globalThis.curve_bn128 = null when it loads, which would
  // orphan a curve the CommonJS build already started (its threads would never be terminated).
  const liveCurve = holder.curve_bn128;
  return Promise.all([
    load<SnarkjsInternals['keypair']>('keypair.js'),
    load<SnarkjsInternals['utils']>('powersoftau_utils.js'),
    load<SnarkjsInternals['misc']>('misc.js'),
  ]).then(([keypair, utils, misc]) => {
    if (liveCurve) holder.curve_bn128 = liveCurve;
    const from = { paths: [dirname(require.resolve('snarkjs'))] };
    /* eslint-disable @typescript-eslint/no-require-imports */
    const binFile = require(require.resolve('@iden3/binfileutils', from)) as SnarkjsInternals['binFile'];
    const { blake2b } = require(require.resolve('@noble/hashes/blake2b', from)) as Pick<SnarkjsInternals, 'blake2b'>;
    /* eslint-enable @typescript-eslint/no-require-imports */
    return { keypair, utils, misc, binFile, blake2b };
  });
}

/** snarkjs's internals and its shared bn128 curve (call inside withCurve()). */
export async function loadSnarkjsInternals(): Promise<SnarkjsInternals> {
  modules ??= loadModules();
  const loaded = await modules;
  const curve = (await snarkjs.curves.getCurveFromName('bn128')) as Bn128Curve;
  return { ...loaded, curve };
}

/** The primitive 2^k-th root of unity ffjavascript's FFTs use for a domain of size 2^k. */
export function rootOfUnity(curve: Bn128Curve, k: number): bigint {
  const root = curve.Fr.w[k];
  if (root === undefined) throw new ZkError('SETUP_FAILED', `bn128 has no 2^${k}-th root of unity`);
  return curve.Fr.toObject(root);
}
