/**
 * Sliding-window geometry shared by Conv, AveragePool and MaxPool (2-D, NCHW, batch 1), and the
 * index maps that the evaluator and the onnxruntime graph both derive from it.
 */
import { EngineError } from '../engine.errors';

export interface WindowGeometry {
  /** [1, C, H, W]. */
  inShape: number[];
  kernel: [number, number];
  strides: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  dilations: [number, number];
  /** [Ho, Wo]. */
  outSpatial: [number, number];
}

export function makeWindowGeometry(
  inShape: number[],
  kernel: number[],
  strides: number[],
  pads: number[],
  dilations: number[],
  where: string,
): WindowGeometry {
  if (inShape.length !== 4 || kernel.length !== 2) {
    throw new EngineError('UNSUPPORTED_OP', `only 2-D windows on NCHW tensors are supported at ${where}`, { inShape, kernel });
  }
  const positive = (values: number[]) => values.every((v) => Number.isSafeInteger(v) && v >= 1);
  if (!positive(kernel) || !positive(strides.slice(0, 2)) || !positive(dilations.slice(0, 2)) || !pads.slice(0, 4).every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw new EngineError('UNSUPPORTED_OP', `kernel, strides and dilations must be positive integers and pads non-negative at ${where}`, { kernel, strides, pads, dilations });
  }
  const outSpatial = [0, 1].map((d) => {
    const effective = dilations[d] * (kernel[d] - 1) + 1;
    return Math.floor((inShape[2 + d] + pads[d] + pads[d + 2] - effective) / strides[d]) + 1;
  });
  if (outSpatial.some((s) => s < 1)) {
    throw new EngineError('INPUT_SHAPE', `window larger than the padded input at ${where}`, { inShape, kernel });
  }
  return {
    inShape,
    kernel: [kernel[0], kernel[1]],
    strides: [strides[0], strides[1]],
    pads: [pads[0], pads[1], pads[2], pads[3]],
    dilations: [dilations[0], dilations[1]],
    outSpatial: [outSpatial[0], outSpatial[1]],
  };
}

/** Source index (within one channel plane) of window tap (i, j) at output (oh, ow), or -1 if padded. */
function tapSource(g: WindowGeometry, oh: number, ow: number, i: number, j: number): number {
  const h = oh * g.strides[0] - g.pads[0] + i * g.dilations[0];
  const w = ow * g.strides[1] - g.pads[1] + j * g.dilations[1];
  if (h < 0 || w < 0 || h >= g.inShape[2] || w >= g.inShape[3]) return -1;
  return h * g.inShape[3] + w;
}

/**
 * im2col map for Conv: row p = oh * Wo + ow, column (c, i, j); value = flat input index or -1.
 * Shape [Ho*Wo][C*kh*kw].
 */
export function convPatchMap(g: WindowGeometry): Int32Array {
  const [, channels, height, width] = g.inShape;
  const [kh, kw] = g.kernel;
  const positions = g.outSpatial[0] * g.outSpatial[1];
  const cols = channels * kh * kw;
  const map = new Int32Array(positions * cols);
  for (let oh = 0; oh < g.outSpatial[0]; oh++) {
    for (let ow = 0; ow < g.outSpatial[1]; ow++) {
      const row = (oh * g.outSpatial[1] + ow) * cols;
      for (let c = 0; c < channels; c++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const src = tapSource(g, oh, ow, i, j);
            map[row + (c * kh + i) * kw + j] = src < 0 ? -1 : c * height * width + src;
          }
        }
      }
    }
  }
  return map;
}

/** Pooling map: row r = (c, oh, ow) in output order, column (i, j); value = flat input index or -1. */
export function poolWindowMap(g: WindowGeometry): Int32Array {
  const [, channels, height, width] = g.inShape;
  const [kh, kw] = g.kernel;
  const [outH, outW] = g.outSpatial;
  const taps = kh * kw;
  const map = new Int32Array(channels * outH * outW * taps);
  let k = 0;
  for (let c = 0; c < channels; c++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            const src = tapSource(g, oh, ow, i, j);
            map[k++] = src < 0 ? -1 : c * height * width + src;
          }
        }
      }
    }
  }
  return map;
}

export function windowTaps(g: WindowGeometry): number {
  return g.kernel[0] * g.kernel[1];
}
