import { isWellFormedProof, verifyProof } from './groth16-verify';
import type { VerificationKey } from './snarkjs';

const PROOF = {
  pi_a: ['1', '2', '1'],
  pi_b: [
    ['1', '2'],
    ['3', '4'],
    ['1', '0'],
  ],
  pi_c: ['5', '6', '1'],
  protocol: 'groth16',
  curve: 'bn128',
};

describe('groth16 verify input checks', () => {
  it('accepts the shape snarkjs writes and nothing else', () => {
    expect(isWellFormedProof(PROOF)).toBe(true);
    expect(isWellFormedProof(null)).toBe(false);
    expect(isWellFormedProof({ ...PROOF, pi_a: ['1', '2'] })).toBe(false);
    expect(isWellFormedProof({ ...PROOF, pi_b: [['1', '2']] })).toBe(false);
    expect(isWellFormedProof({ ...PROOF, pi_c: ['5', '-6', '1'] })).toBe(false);
  });

  it('returns false without touching the curve when the signal count does not match the key', async () => {
    const vk = {
      protocol: 'groth16',
      curve: 'bn128',
      nPublic: 2,
      IC: [[], [], []],
    } as unknown as VerificationKey;
    await expect(verifyProof(vk, ['1'], PROOF)).resolves.toBe(false);
    await expect(verifyProof(vk, ['1', 'x'], PROOF)).resolves.toBe(false);
  });
});
