import { commitSignedVector, offsetBitsFor, packRange, poseidonChain, poseidonHash, signedBitsFor } from './poseidon-commitment';

describe('poseidon-commitment', () => {
  it('sizes SignedRange for [-bound, bound]: the smallest n with bound < 2^(n-1)', () => {
    expect([0n, 1n, 2n, 3n, 4n, 127n, 128n, 1n << 20n].map(signedBitsFor)).toEqual([2, 2, 3, 3, 4, 8, 9, 22]);
  });

  it('sizes CommitSignedVector for offset = bound: v + bound in [0, 2^n) for every |v| <= bound', () => {
    expect([0n, 1n, 2n, 3n, 4n, 1n << 18n].map(offsetBitsFor)).toEqual([1, 2, 3, 3, 4, 20]);
    for (const bound of [1n, 5n, 1n << 18n, (1n << 18n) + 3n]) {
      expect(2n * bound).toBeLessThan(1n << BigInt(offsetBitsFor(bound)));
    }
  });

  it('accepts a strict superset of the engine inputs: v in [-B, 2^n - 1 - B] with n = bitlen(2B), above B for every B', async () => {
    for (const bound of [0n, 1n, 5n, 8n, 127n, 128n, 1n << 18n]) {
      const bits = offsetBitsFor(bound);
      const upper = (1n << BigInt(bits)) - 1n - bound;
      expect(upper).toBeGreaterThan(bound);
      if (bound > 0n) expect(upper).toBeLessThanOrEqual(3n * bound - 1n);
      await expect(commitSignedVector([-bound, bound, bound + 1n, upper], bits, bound)).resolves.toEqual(expect.any(BigInt));
      await expect(commitSignedVector([upper + 1n], bits, bound)).rejects.toMatchObject({ code: 'ZK_INPUT_INVALID' });
      await expect(commitSignedVector([-bound - 1n], bits, bound)).rejects.toMatchObject({ code: 'ZK_INPUT_INVALID' });
    }
  });

  it('packs base-2^n digits and refuses a digit out of range or a packing wider than 252 bits', () => {
    expect(packRange([1n, 2n, 3n], 8)).toBe(1n + 2n * 256n + 3n * 65536n);
    expect(packRange([(1n << 252n) - 1n], 252)).toBe((1n << 252n) - 1n);
    expect(() => packRange([1n, 256n], 8)).toThrow(expect.objectContaining({ code: 'ZK_INPUT_INVALID', message: 'value 1 is 256, packing needs [0, 2^8 - 1]' }));
    expect(() => packRange([-1n], 8)).toThrow(expect.objectContaining({ code: 'ZK_INPUT_INVALID' }));
    expect(() => packRange(new Array<bigint>(13).fill(0n), 20)).toThrow(/cannot pack 13 values of 20 bits/);
  });

  it('hashes [1, 2] to the circomlib test vector', async () => {
    await expect(poseidonHash([1n, 2n])).resolves.toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });

  it('chains 15 elements per block with the state first, zero-padding the last block', async () => {
    const fields = Array.from({ length: 17 }, (_, i) => BigInt(i * 1000 + 7));
    const first = await poseidonHash([0n, ...fields.slice(0, 15)]);
    const second = await poseidonHash([first, fields[15], fields[16], ...new Array<bigint>(13).fill(0n)]);
    await expect(poseidonChain(fields)).resolves.toBe(second);
    await expect(poseidonChain([5n])).resolves.toBe(await poseidonHash([0n, 5n, ...new Array<bigint>(14).fill(0n)]));
  });

  it('commits floor(252 / n) shifted values per packed element', async () => {
    const values = Array.from({ length: 13 }, (_, i) => BigInt(i) - 6n);
    const shifted = values.map((v) => v + 8n);
    const expected = await poseidonChain([packRange(shifted.slice(0, 12), 20), packRange(shifted.slice(12), 20)]);
    await expect(commitSignedVector(values, 20, 8n)).resolves.toBe(expected);
  });

  it('refuses a value outside [-offset, 2^n - 1 - offset], naming the index and the range', async () => {
    await expect(commitSignedVector([0n, 0n, 9n], 4, 8n)).rejects.toMatchObject({
      code: 'ZK_INPUT_INVALID',
      message: 'value 2 is 9, the commitment accepts [-8, 7] (offset 8, 4 bits)',
    });
    await expect(commitSignedVector([-9n], 4, 8n)).rejects.toMatchObject({ code: 'ZK_INPUT_INVALID', message: expect.stringContaining('value 0 is -9') });
    await expect(commitSignedVector([], 4, 8n)).rejects.toMatchObject({ code: 'ZK_INPUT_INVALID' });
  });
});
