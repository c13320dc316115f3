import { BN254_BASE_FIELD, BN254_SCALAR_FIELD, toSolidityProof, verifyProofArgs } from './proof-codec';
import { snarkjs, type Groth16Proof } from './snarkjs';

const PROOF: Groth16Proof = {
  pi_a: ['11', '12', '1'],
  pi_b: [
    ['21', '22'],
    ['23', '24'],
    ['1', '0'],
  ],
  pi_c: ['31', '32', '1'],
  protocol: 'groth16',
  curve: 'bn128',
};

describe('toSolidityProof', () => {
  it('drops the projective coordinate and swaps each G2 pair to (imaginary, real)', () => {
    expect(toSolidityProof(PROOF, ['5', '6'])).toEqual({
      a: [11n, 12n],
      b: [
        [22n, 21n],
        [24n, 23n],
      ],
      c: [31n, 32n],
      publicSignals: [5n, 6n],
    });
  });

  it('gives the same calldata as snarkjs exportSolidityCallData', async () => {
    const text = await snarkjs.groth16.exportSolidityCallData(PROOF, ['5', '6']);
    const expected = (JSON.parse(`[${text}]`) as unknown[]).map(function toBig(v: unknown): unknown {
      return Array.isArray(v) ? v.map(toBig) : BigInt(v as string);
    });
    expect(verifyProofArgs(toSolidityProof(PROOF, ['5', '6']))).toEqual(expected);
  });

  it('rejects coordinates that are not decimal strings or not below the base field', () => {
    expect(() => toSolidityProof({ ...PROOF, pi_a: ['0x11', '12', '1'] }, [])).toThrow(
      expect.objectContaining({ code: 'PROOF_INVALID' }),
    );
    expect(() => toSolidityProof({ ...PROOF, pi_c: [BN254_BASE_FIELD.toString(), '1', '1'] }, [])).toThrow(
      /pi_c.x is not below the field modulus/,
    );
    expect(() => toSolidityProof({ ...PROOF, pi_b: [['1', '2']] }, [])).toThrow(/pi_b/);
  });

  it('rejects a public signal that is not a scalar field element', () => {
    expect(() => toSolidityProof(PROOF, [BN254_SCALAR_FIELD.toString()])).toThrow(
      /public signal 0 is not below the field modulus/,
    );
    expect(() => toSolidityProof(PROOF, ['-1'])).toThrow(/public signal 0 must be a decimal string/);
  });
});
