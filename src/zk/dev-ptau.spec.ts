import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDevPtau } from './dev-ptau';
import { BN254_SCALAR_FIELD as R, lagrangeScalars, powerScalars, scalarsToBytes } from './dev-ptau-scalars';
import { buildSingleThreadCurve, FixedBaseMultiplier, type SingleThreadCurve } from './fixed-base';
import { readPtauInfo } from './ptau';
import { collectingLogger, snarkjs, withCurve } from './snarkjs';

/** A binfile's sections by type, in file order (magic, version, count, then type u32 + size u64 + data). */
function sectionsOf(bytes: Buffer): Map<number, Buffer> {
  const sections = new Map<number, Buffer>();
  let position = 12;
  for (let i = 0; i < bytes.readUInt32LE(8); i++) {
    const type = bytes.readUInt32LE(position);
    const size = Number(bytes.readBigUInt64LE(position + 4));
    sections.set(type, bytes.subarray(position + 12, position + 12 + size));
    position += 12 + size;
  }
  return sections;
}

function binFile(sections: Map<number, Buffer>): Buffer {
  const head = Buffer.alloc(12);
  head.write('ptau', 0, 'latin1');
  head.writeUInt32LE(1, 4);
  head.writeUInt32LE(sections.size, 8);
  const parts: Buffer[] = [head];
  for (const [type, data] of sections) {
    const section = Buffer.alloc(12);
    section.writeUInt32LE(type, 0);
    section.writeBigUInt64LE(BigInt(data.length), 4);
    parts.push(section, data);
  }
  return Buffer.concat(parts);
}

function modPow(base: bigint, exponent: number): bigint {
  let result = 1n;
  for (let i = 0; i < exponent; i++) result = (result * base) % R;
  return result;
}

const randomScalar = () => BigInt(`0x${randomBytes(32).toString('hex')}`) % R;

describe('fixed-base multiplication', () => {
  let curve: SingleThreadCurve & Record<'G1' | 'G2', GroupOps>;
  interface GroupOps {
    g: unknown;
    timesScalar(point: unknown, scalar: bigint): unknown;
    toAffine(point: unknown): unknown;
    fromRprLEM(bytes: Uint8Array, offset: number): unknown;
    eq(a: unknown, b: unknown): boolean;
  }
  beforeAll(async () => {
    curve = (await buildSingleThreadCurve()) as typeof curve;
  });

  it.each(['G1', 'G2'] as const)('matches double-and-add on %s for edge and random scalars', (group) => {
    const multiplier = new FixedBaseMultiplier(curve, group);
    const scalars = [0n, 1n, 2n, 255n, 256n, 257n, 0xffffn, R - 1n, (1n << 253n) + 1n, 0x0101010101010101n];
    for (let i = 0; i < 6; i++) scalars.push(randomScalar());
    const points = multiplier.multiply(scalarsToBytes(scalars));
    const G = curve[group];
    const size = group === 'G1' ? 64 : 128;
    scalars.forEach((scalar, i) => {
      expect(G.eq(G.fromRprLEM(points, i * size), G.toAffine(G.timesScalar(G.g, scalar)))).toBe(true);
    });
    expect(G.eq(G.fromRprLEM(points, size), G.toAffine(G.timesScalar(G.g, 2n)))).toBe(false);
  });

  it('refuses scalars that are not whole 32-byte words', () => {
    expect(() => new FixedBaseMultiplier(curve, 'G1').multiply(new Uint8Array(33))).toThrow(/multiple of 32/);
  });
});

describe('development ptau scalars', () => {
  // A primitive 8th root of unity of the BN254 scalar field: 5^((r - 1) / 8).
  const omega8 = (() => {
    let result = 1n;
    let base = 5n;
    let e = (R - 1n) / 8n;
    while (e > 0n) {
      if (e & 1n) result = (result * base) % R;
      base = (base * base) % R;
      e >>= 1n;
    }
    return result;
  })();

  it('gives the Lagrange basis at tau: sum_i L_i(tau) w^(ij) = tau^j for every j in the domain', () => {
    const tau = randomScalar();
    const basis = lagrangeScalars(tau, omega8, 3, 1n);
    for (let j = 0; j < 8; j++) {
      const sum = basis.reduce((acc, l, i) => (acc + l * modPow(omega8, i * j)) % R, 0n);
      expect(sum).toBe(modPow(tau, j));
    }
  });

  it("drops the domain's last power of tau when asked, as snarkjs does for its largest tauG1 domain", () => {
    const tau = randomScalar();
    const basis = lagrangeScalars(tau, omega8, 3, 7n, true);
    for (let j = 0; j < 8; j++) {
      const sum = basis.reduce((acc, l, i) => (acc + l * modPow(omega8, i * j)) % R, 0n);
      expect(sum).toBe(j === 7 ? 0n : (7n * modPow(tau, j)) % R);
    }
  });

  it('lists factor * tau^i from any offset', () => {
    expect(powerScalars(3n, 2n, 2, 3)).toEqual([18n, 54n, 162n]);
  });
});

describe('development ptau written from its secrets', () => {
  const POWER = 4;
  let dir: string;
  let path: string;
  const verify = (file: string) =>
    withCurve(() => snarkjs.powersOfTau.verify(file, collectingLogger())).catch(() => false);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verity-dev-ptau-'));
    path = join(dir, 'dev.ptau');
    await withCurve(() => writeDevPtau({ power: POWER, path }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a prepared ptau of its power that `snarkjs powersoftau verify` accepts', async () => {
    expect(readPtauInfo(path)).toMatchObject({ power: POWER, ceremonyPower: POWER, prepared: true });
    expect(await verify(path)).toBe(true);
  });

  it("holds the same Lagrange sections, byte for byte, as snarkjs's own prepare phase2 of its accumulator", async () => {
    const sections = sectionsOf(readFileSync(path));
    const accumulatorOnly = new Map([...sections].filter(([type]) => type < 12));
    const unprepared = join(dir, 'unprepared.ptau');
    const prepared = join(dir, 'prepared.ptau');
    writeFileSync(unprepared, binFile(accumulatorOnly));
    await withCurve(() => snarkjs.powersOfTau.preparePhase2(unprepared, prepared, collectingLogger()));
    const reference = sectionsOf(readFileSync(prepared));
    for (const type of [12, 13, 14, 15]) expect(sections.get(type)?.equals(reference.get(type) ?? Buffer.alloc(0))).toBe(true);
  });

  it.each([
    ['a power of tau in G1', 2, 3],
    ['a power of tau in G2', 3, 2],
    ['a Lagrange point', 12, 9],
    ['an alpha Lagrange point', 14, 5],
  ])('fails verification when %s is replaced by another valid point', async (_what, type, index) => {
    const sections = sectionsOf(readFileSync(path));
    const data = Buffer.from(sections.get(type) ?? Buffer.alloc(0));
    const size = type === 3 || type === 13 ? 128 : 64;
    data.copy(data, index * size, (index + 1) * size, (index + 2) * size);
    sections.set(type, data);
    const forged = join(dir, `forged-${type}.ptau`);
    writeFileSync(forged, binFile(sections));
    expect(await verify(forged)).toBe(false);
  });
});
