import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devPtauPath, readPtauInfo, requiredPtauPower } from './ptau';

const BN128_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** A ptau-shaped binfile: magic, version, sections (type u32, size u64, zero-filled data). */
function ptauBytes(power: number, options: { prepared: boolean; q?: bigint }): Buffer {
  const header = Buffer.alloc(4 + 32 + 8);
  header.writeUInt32LE(32, 0);
  Buffer.from((options.q ?? BN128_Q).toString(16).padStart(64, '0'), 'hex')
    .reverse()
    .copy(header, 4);
  header.writeUInt32LE(power, 36);
  header.writeUInt32LE(power, 40);
  const n = 2 ** power;
  const sections: [number, number][] = [
    [2, (2 * n - 1) * 64],
    [3, n * 128],
    [4, n * 64],
    [5, n * 64],
    [6, 128],
    [7, 4],
  ];
  if (options.prepared)
    sections.push(
      [12, (4 * n - 1) * 64],
      [13, (2 * n - 1) * 128],
      [14, (2 * n - 1) * 64],
      [15, (2 * n - 1) * 64],
    );
  const parts = [
    Buffer.from('ptau'),
    u32(1),
    u32(sections.length + 1),
    sectionHead(1, header.length),
    header,
  ];
  for (const [type, size] of sections) parts.push(sectionHead(type, size), Buffer.alloc(size));
  return Buffer.concat(parts);
}
function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return b;
}
function sectionHead(type: number, size: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32LE(type, 0);
  b.writeBigUInt64LE(BigInt(size), 4);
  return b;
}

describe('ptau files', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'verity-ptau-spec-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('reads the power and sees whether the file is prepared for phase 2', () => {
    expect(readPtauInfo(write('p.ptau', ptauBytes(3, { prepared: true })))).toMatchObject({
      power: 3,
      ceremonyPower: 3,
      prepared: true,
    });
    expect(readPtauInfo(write('u.ptau', ptauBytes(3, { prepared: false })))).toMatchObject({
      power: 3,
      prepared: false,
    });
  });

  it('rejects a file still being written, another curve, or not a ptau', () => {
    const full = ptauBytes(2, { prepared: true });
    expect(() => readPtauInfo(write('t.ptau', full.subarray(0, full.length - 10)))).toThrow(
      expect.objectContaining({ code: 'PTAU_INVALID' }),
    );
    expect(() => readPtauInfo(write('q.ptau', ptauBytes(2, { prepared: true, q: 7n })))).toThrow(
      /not for curve bn128/,
    );
    expect(() => readPtauInfo(write('z.ptau', Buffer.from('zkey0000000000000000')))).toThrow(
      /not a ptau file/,
    );
    expect(() => readPtauInfo(join(dir, 'missing.ptau'))).toThrow(/does not exist/);
  });

  it('computes the power a circuit needs as snarkjs does: constraints + public signals < 2^power', () => {
    expect(requiredPtauPower(9, 2)).toBe(4);
    expect(requiredPtauPower(7, 0)).toBe(3);
    expect(requiredPtauPower(8, 0)).toBe(4);
    expect(requiredPtauPower(2487, 11)).toBe(12);
  });

  it('keeps dev ptau files under <cacheDir>/ptau by power', () => {
    expect(devPtauPath('/c', 15)).toBe('/c/ptau/verity-dev-bn128-15.ptau');
  });
});
