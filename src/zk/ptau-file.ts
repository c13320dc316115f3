/**
 * The ptau file format (snarkjs' binary sections) as far as Verity reads it: a file's header and
 * section table, checked complete and for curve bn128, and whether it is prepared for phase 2;
 * where the development ptau of a power is cached; and the power a circuit needs.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ZkError } from './zk.errors';

/** bn128 (BN254) supports evaluation domains up to 2^28. */
export const MAX_PTAU_POWER = 28;
const BN128_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
const G1_BYTES = 64;
const G2_BYTES = 128;

export interface PtauInfo {
  path: string;
  /** Largest domain the file supports: circuits with up to 2^power constraints (+ public signals). */
  power: number;
  /** Power of the ceremony the file was made (or truncated) from. */
  ceremonyPower: number;
  /** Has the Lagrange sections `powersoftau prepare phase2` adds: usable for a Groth16 setup. */
  prepared: boolean;
}

export function devPtauPath(cacheDir: string, power: number): string {
  return join(resolve(cacheDir), 'ptau', `verity-dev-bn128-${power}.ptau`);
}

/** Smallest ptau power a circuit fits in, as snarkjs computes it at `groth16 setup`. */
export function requiredPtauPower(constraints: number, publicSignals: number): number {
  return Math.floor(Math.log2(constraints + publicSignals)) + 1;
}

/**
 * Reads a ptau file's header and section table without loading it, and checks that every section
 * is complete (a file still being written fails here). Throws PTAU_INVALID.
 */
export function readPtauInfo(path: string): PtauInfo {
  if (!existsSync(path)) throw new ZkError('PTAU_INVALID', `ptau file ${path} does not exist`);
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const read = (position: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length);
      if (position + length > fileSize || readSync(fd, buffer, 0, length, position) !== length) {
        throw new ZkError('PTAU_INVALID', `ptau file ${path} is truncated (${fileSize} bytes)`);
      }
      return buffer;
    };
    const head = read(0, 12);
    if (head.toString('latin1', 0, 4) !== 'ptau')
      throw new ZkError('PTAU_INVALID', `${path} is not a ptau file`);
    const sections = new Map<number, { position: number; size: number }>();
    let position = 12;
    for (let i = 0; i < head.readUInt32LE(8); i++) {
      const section = read(position, 12);
      const size = Number(section.readBigUInt64LE(4));
      sections.set(section.readUInt32LE(0), { position: position + 12, size });
      position += 12 + size;
      if (position > fileSize) {
        throw new ZkError(
          'PTAU_INVALID',
          `ptau file ${path} is incomplete (still being written?): section ${i + 1} runs past its end`,
        );
      }
    }
    if (position !== fileSize) {
      throw new ZkError(
        'PTAU_INVALID',
        `ptau file ${path} has ${fileSize - position} bytes after its last section`,
      );
    }
    const { power, ceremonyPower } = parseHeader(path, sections, read);
    return { path, power, ceremonyPower, prepared: isPrepared(sections, power) };
  } finally {
    closeSync(fd);
  }
}

type SectionTable = Map<number, { position: number; size: number }>;

function parseHeader(path: string, sections: SectionTable, read: (p: number, l: number) => Buffer) {
  const header = sections.get(1);
  if (!header) throw new ZkError('PTAU_INVALID', `ptau file ${path} has no header section`);
  const n8 = read(header.position, 4).readUInt32LE(0);
  const fields = read(header.position + 4, n8 + 8);
  const q = BigInt(`0x${Buffer.from(fields.subarray(0, n8)).reverse().toString('hex') || '0'}`);
  if (q !== BN128_BASE_FIELD) throw new ZkError('PTAU_INVALID', `ptau file ${path} is not for curve bn128`);
  const power = fields.readUInt32LE(n8);
  const ceremonyPower = fields.readUInt32LE(n8 + 4);
  const tauG1 = sections.get(2);
  if (power < 1 || power > MAX_PTAU_POWER || !tauG1 || tauG1.size !== (2 ** power * 2 - 1) * G1_BYTES) {
    throw new ZkError('PTAU_INVALID', `ptau file ${path} has an inconsistent header (power ${power})`);
  }
  return { power, ceremonyPower };
}

function isPrepared(sections: SectionTable, power: number): boolean {
  const lagrange = sections.get(12);
  if (!lagrange) return false;
  // Lagrange bases for every domain 2^0 .. 2^power (2^(power+1) - 1 points); tauG1 also 2^(power+1).
  const points = 2 ** (power + 1) - 1;
  return (
    lagrange.size === (2 * points + 1) * G1_BYTES &&
    sections.get(13)?.size === points * G2_BYTES &&
    sections.get(14)?.size === points * G1_BYTES &&
    sections.get(15)?.size === points * G1_BYTES
  );
}
