import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MNIST_CLASS_COUNT,
  MNIST_HOLDOUT_EVERY_NTH_DIGIT,
  MNIST_IMAGE_PIXELS,
  MnistDigitRef,
  MnistPackageDigits,
  decodeHoldout,
  encodeHoldout,
  interleaveByClass,
  loadMnistHoldout,
  mnistFixtureDir,
  openMnistPackage,
  pixelToByte,
  splitMnistDigits,
} from './mnist-data';

const keyOf = (ref: MnistDigitRef) => `${ref.label}:${ref.index}`;
const pixelsKey = (values: ArrayLike<number>) =>
  Buffer.from(Array.from(values, pixelToByte)).toString('base64');

describe('MNIST holdout loader', () => {
  const holdout = loadMnistHoldout();

  it('loads held-back digits as 784 pixels in [0, 1] with a label from 0 to 9 each', () => {
    expect(holdout.inputs.length).toBeGreaterThan(0);
    expect(holdout.labels).toHaveLength(holdout.inputs.length);
    for (const input of holdout.inputs) {
      expect(input).toHaveLength(MNIST_IMAGE_PIXELS);
      expect(input.every((v) => v >= 0 && v <= 1)).toBe(true);
    }
    expect(
      holdout.labels.every((label) => Number.isInteger(label) && label >= 0 && label < MNIST_CLASS_COUNT),
    ).toBe(true);
  });

  it('holds the same number of digits of every class', () => {
    const perClass = holdout.labels.length / MNIST_CLASS_COUNT;
    for (let label = 0; label < MNIST_CLASS_COUNT; label++) {
      expect(holdout.labels.filter((l) => l === label)).toHaveLength(perClass);
    }
  });

  it('decodes what it encodes, byte for byte', () => {
    const bytes = Uint8Array.from({ length: MNIST_IMAGE_PIXELS }, (_, i) => (i * 37) % 256);
    const decoded = decodeHoldout(encodeHoldout([{ ref: { label: 3, index: 10 }, bytes }]));
    expect(decoded.labels).toEqual([3]);
    expect(decoded.refs).toEqual([{ label: 3, index: 10 }]);
    expect(decoded.inputs[0].map(pixelToByte)).toEqual(Array.from(bytes));
  });

  it('rejects a digit that does not have 784 pixels', () => {
    const file = encodeHoldout([
      { ref: { label: 1, index: 0 }, bytes: new Uint8Array(MNIST_IMAGE_PIXELS - 1) },
    ]);
    expect(() => decodeHoldout(file)).toThrow(/783 pixels, expected 784/);
  });
});

describe('MNIST split', () => {
  let pkg: MnistPackageDigits;
  beforeAll(() => {
    pkg = openMnistPackage();
  });

  it('splits the package digits identically on every call', () => {
    expect(splitMnistDigits(pkg.classSizes)).toEqual(splitMnistDigits([...pkg.classSizes]));
  });

  it('puts every package digit in exactly one of training and held-back', () => {
    const { train, heldBack } = splitMnistDigits(pkg.classSizes);
    const trainKeys = new Set(train.map(keyOf));
    expect(heldBack.some((ref) => trainKeys.has(keyOf(ref)))).toBe(false);
    const all = new Set([...train, ...heldBack].map(keyOf));
    expect(all.size).toBe(pkg.classSizes.reduce((a, b) => a + b, 0));
    expect(train.length + heldBack.length).toBe(all.size);
  });

  it('holds back one digit in five of every class', () => {
    const { heldBack } = splitMnistDigits(pkg.classSizes);
    pkg.classSizes.forEach((size, label) => {
      const count = heldBack.filter((ref) => ref.label === label).length;
      expect(count).toBe(Math.ceil(size / MNIST_HOLDOUT_EVERY_NTH_DIGIT));
    });
  });

  it('interleaves classes so that every prefix of ten holds each digit once', () => {
    const refs = interleaveByClass(splitMnistDigits(pkg.classSizes).heldBack, 2);
    expect(refs.slice(0, MNIST_CLASS_COUNT).map((r) => r.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(refs.slice(MNIST_CLASS_COUNT).map((r) => r.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stores in holdout.json only held-back digits, with the pixels of the package', () => {
    const holdout = loadMnistHoldout();
    const heldBackKeys = new Set(splitMnistDigits(pkg.classSizes).heldBack.map(keyOf));
    holdout.refs.forEach((ref, n) => {
      expect(heldBackKeys.has(keyOf(ref))).toBe(true);
      expect(holdout.labels[n]).toBe(ref.label);
      expect(pixelsKey(holdout.inputs[n])).toBe(Buffer.from(pkg.bytes(ref)).toString('base64'));
    });
  });

  it('fills calibration.json with training digits only', () => {
    const file = JSON.parse(readFileSync(join(mnistFixtureDir(), 'calibration.json'), 'utf8')) as {
      input_data: number[][];
    };
    const { train, heldBack } = splitMnistDigits(pkg.classSizes);
    const trainPixels = new Set(train.map((ref) => Buffer.from(pkg.bytes(ref)).toString('base64')));
    const heldBackPixels = new Set(heldBack.map((ref) => Buffer.from(pkg.bytes(ref)).toString('base64')));
    expect(file.input_data.length).toBeGreaterThan(0);
    for (const input of file.input_data) {
      expect(input).toHaveLength(MNIST_IMAGE_PIXELS);
      expect(trainPixels.has(pixelsKey(input))).toBe(true);
      expect(heldBackPixels.has(pixelsKey(input))).toBe(false);
    }
  });
});
