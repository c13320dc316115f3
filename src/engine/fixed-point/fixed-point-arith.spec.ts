import fc from 'fast-check';
import { floorShift, quantizeReal, rescale, rescaleBig, roundHalfAwayFromZero, toIntLike } from './fixed-point-arith';

describe('fixed-point arithmetic', () => {
  it('rounds exact halves away from zero for positive and negative values', () => {
    expect([2.5, -2.5, 0.5, -0.5, 1.5, -1.5].map(roundHalfAwayFromZero)).toEqual([3, -3, 1, -1, 2, -2]);
  });

  it('does not round the largest double below one half up to one', () => {
    expect(roundHalfAwayFromZero(0.49999999999999994)).toBe(0);
    expect(roundHalfAwayFromZero(-0.49999999999999994)).toBe(-0);
  });

  it('quantizes reals at a given scale and refuses NaN and infinities', () => {
    expect(quantizeReal(0.75, 2)).toBe(3);
    expect(quantizeReal(-0.625, 2)).toBe(-3);
    expect(() => quantizeReal(Number.NaN, 8)).toThrow(expect.objectContaining({ code: 'NON_FINITE_INPUT' }));
    expect(() => quantizeReal(Infinity, 8)).toThrow(expect.objectContaining({ code: 'NON_FINITE_INPUT' }));
  });

  it('rescales with round half up, including negative halves', () => {
    expect(rescale(3, 1)).toBe(2); // 1.5 -> 2
    expect(rescale(-3, 1)).toBe(-1); // -1.5 -> -1 (half up, not away from zero)
    expect(rescale(-5, 2)).toBe(-1); // -1.25 -> -1
    expect(rescale(-6, 2)).toBe(-1); // -1.5 -> -1
    expect(rescale(-7, 2)).toBe(-2); // -1.75 -> -2
    expect(rescale(2, 2)).toBe(1); // 0.5 -> 1
  });

  it('floor-shifts negative values toward minus infinity', () => {
    expect(floorShift(-1, 4)).toBe(-1);
    expect(floorShift(-16, 4)).toBe(-1);
    expect(floorShift(-17, 4)).toBe(-2);
    expect(floorShift(17, 4)).toBe(1);
  });

  it('agrees with the BigInt definition of rescale on random safe integers', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 51), max: 2 ** 51 }), fc.integer({ min: 1, max: 32 }), (a, s) => {
        expect(BigInt(rescale(a, s))).toBe(rescaleBig(BigInt(a), s));
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it('stores integers of 2^53 and above as strings', () => {
    expect(toIntLike(2 ** 40)).toBe(2 ** 40);
    expect(toIntLike(2n ** 53n)).toBe('9007199254740992');
    expect(toIntLike(-(2n ** 60n))).toBe('-1152921504606846976');
  });
});
