import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWitness, readSymbols, type R1cs } from './witness';

const P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Wires [1, x, y, z]; constraints x * y = z and (x + 3) * 1 = y (the second with a p - 1 coefficient). */
const r1cs: R1cs = {
  prime: P,
  nWires: 4,
  nOutputs: 1,
  nPublicInputs: 0,
  nPrivateInputs: 2,
  constraints: [
    [new Map([[1, 1n]]), new Map([[2, 1n]]), new Map([[3, 1n]])],
    [new Map([[2, P - 1n], [0, 3n]]), new Map([[0, 1n]]), new Map([[1, P - 1n]])],
  ],
};

describe('checkWitness', () => {
  it('accepts a satisfying witness, with values given modulo p or as negatives', () => {
    expect(checkWitness(r1cs, [1n, 2n, 5n, 10n])).toEqual({ ok: true });
    expect(checkWitness(r1cs, [1n, -4n, -1n, 4n])).toEqual({ ok: true });
    expect(checkWitness(r1cs, [1n, P - 4n, P - 1n, 4n])).toEqual({ ok: true });
  });

  it('names the first violated constraint', () => {
    expect(checkWitness(r1cs, [1n, 2n, 5n, 11n])).toEqual({ ok: false, constraintIndex: 0 });
    expect(checkWitness(r1cs, [1n, 2n, 6n, 12n])).toEqual({ ok: false, constraintIndex: 1 });
  });

  it('refuses a witness whose constant wire is not 1 (a scaled solution of the homogeneous part)', () => {
    expect(checkWitness(r1cs, [0n, 0n, 0n, 0n])).toEqual({ ok: false, constraintIndex: -1 });
  });

  it('refuses a witness of the wrong length', () => {
    expect(() => checkWitness(r1cs, [1n, 2n, 5n])).toThrow(expect.objectContaining({ code: 'WITNESS_FAILED' }));
  });
});

describe('readSymbols', () => {
  it('maps signal names to witness indices, -1 for eliminated signals', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'verity-sym-')), 'c.sym');
    writeFileSync(path, '1,1,3,main.out\n2,-1,2,main.g.rem\n3,2,1,main.g.bits.out[0]\n');
    const symbols = await readSymbols(path);
    expect([...symbols]).toEqual([
      ['main.out', 1],
      ['main.g.rem', -1],
      ['main.g.bits.out[0]', 2],
    ]);
  });
});
