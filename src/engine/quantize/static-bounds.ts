/**
 * Static worst-case bounds by interval arithmetic (symmetric, max |v|) over the quantized graph,
 * in BigInt. The accumulator bound of a step bounds |every partial sum| in any summation order
 * (it is a sum of absolute values), which is what float64 exactness needs.
 */
import { absBig, intLikeToBig, maxBig, rescaleBig } from '../fixed-point/fixed-point-arith';
import { type PwlTable, pwlMaxDelta, pwlOutputBound } from '../fixed-point/pwl-table';
import type { IntLike } from '../fixed-point/fixed-point-arith';
import type { QuantStep } from './quantized-model.types';

export interface StepBound {
  /** max |output|. */
  output: bigint;
  /** max |intermediate| (0 when the step has no arithmetic beyond comparisons). */
  accumulator: bigint;
}

/** max over rows of (sum_k |W_rk| * bx + |b_r|), rows of length rowLength. */
function rowAccumulatorBound(weights: readonly (number | string)[], bias: readonly (number | string)[], rowLength: number, bx: bigint): bigint {
  let best = 0n;
  for (let r = 0; r < bias.length; r++) {
    let sum = 0n;
    for (let k = 0; k < rowLength; k++) sum += absBig(intLikeToBig(weights[r * rowLength + k]));
    const total = sum * bx + absBig(intLikeToBig(bias[r]));
    if (total > best) best = total;
  }
  return best;
}

function rescaled(accumulator: bigint, fractionBits: number): StepBound {
  const half = 1n << BigInt(fractionBits - 1);
  return { output: rescaleBig(accumulator, fractionBits), accumulator: accumulator + half };
}

function pwlBound(table: PwlTable, bx: bigint): bigint {
  const offset = bx + absBig(BigInt(table.loFixed));
  const product = BigInt(pwlMaxDelta(table)) * (1n << BigInt(table.shiftBits));
  return maxBig(offset, product, BigInt(pwlOutputBound(table)));
}

export function stepBound(step: QuantStep, inputs: bigint[], fractionBits: number): StepBound {
  const bx = inputs[0];
  const F = fractionBits;
  switch (step.op) {
    case 'linear':
      return rescaled(rowAccumulatorBound(step.weights, step.bias, step.inFeatures, bx), F);
    case 'conv':
      return rescaled(rowAccumulatorBound(step.weights, step.bias, step.weights.length / step.outChannels, bx), F);
    case 'affine': {
      const acc = step.scale.reduce<bigint>((best, m, c) => maxBig(best, absBig(intLikeToBig(m)) * bx + absBig(intLikeToBig(step.shift[c]))), 0n);
      return rescaled(acc, F);
    }
    case 'addConst': {
      const total = bx + step.values.reduce<bigint>((best, v) => maxBig(best, absBig(intLikeToBig(v))), 0n);
      return { output: total, accumulator: total };
    }
    case 'add':
    case 'sub':
      return { output: bx + inputs[1], accumulator: bx + inputs[1] };
    case 'relu':
    case 'reshape':
    case 'maxPool':
      return { output: bx, accumulator: 0n };
    case 'leakyRelu': {
      const negative = rescaled(bx * absBig(intLikeToBig(step.alpha)), F);
      return { output: maxBig(bx, negative.output), accumulator: negative.accumulator };
    }
    case 'clip': {
      const lo = step.min === null ? null : absBig(intLikeToBig(step.min));
      const hi = step.max === null ? null : absBig(intLikeToBig(step.max));
      return { output: lo !== null && hi !== null ? maxBig(lo, hi) : maxBig(bx, lo ?? 0n, hi ?? 0n), accumulator: 0n };
    }
    case 'avgPool': {
      const taps = BigInt(step.geometry.kernel[0] * step.geometry.kernel[1]);
      const m = step.multipliers.reduce<bigint>((best, v) => maxBig(best, absBig(intLikeToBig(v))), 0n);
      const result = rescaled(taps * bx * m, F);
      return { output: result.output, accumulator: maxBig(result.accumulator, taps * bx) };
    }
    case 'gather':
      return { output: maxBig(bx, absBig(intLikeToBig(step.padValue))), accumulator: 0n };
    case 'sigmoid':
    case 'tanh':
      return { output: BigInt(pwlOutputBound(step.table)), accumulator: pwlBound(step.table, bx) };
    case 'softmax': {
      const eMax = BigInt(pwlOutputBound(step.table));
      const scaled = eMax << BigInt(F);
      const acc = maxBig(pwlBound(step.table, 2n * bx), scaled, BigInt(step.groupSize) * eMax);
      return { output: 1n << BigInt(F), accumulator: acc };
    }
    case 'mul': {
      const product = bx * inputs[1];
      return rescaled(product, F);
    }
    case 'abs':
      return { output: bx, accumulator: 0n };
    case 'sign':
    case 'compare':
    case 'compareConst':
      return { output: 1n << BigInt(F), accumulator: 0n };
    case 'floor':
    case 'ceil':
    case 'round':
      // the result is a multiple of 2^F within 2^F of x (the remainder r < 2^F is an intermediate)
      return { output: bx + (1n << BigInt(F)), accumulator: bx + (1n << BigInt(F)) };
    case 'pwl': {
      // outside the domain: rescale(x * slope, F) + value, with x * slope + 2^(F-1) the intermediate
      const side = (slope: IntLike, value: number): StepBound => {
        const scaled = rescaled(bx * absBig(intLikeToBig(slope)), F);
        return { output: scaled.output + absBig(BigInt(value)), accumulator: scaled.accumulator + absBig(BigInt(value)) };
      };
      const below = side(step.belowSlope, step.table.belowValue);
      const above = side(step.aboveSlope, step.table.aboveValue);
      return {
        output: maxBig(BigInt(pwlOutputBound(step.table)), below.output, above.output),
        accumulator: maxBig(pwlBound(step.table, bx), below.accumulator, above.accumulator),
      };
    }
    case 'matmul':
      // every partial sum of inner products is within inner * B_a * B_b
      return rescaled(BigInt(step.inner) * bx * inputs[1], F);
    case 'div': {
      // |b| >= 1 when b != 0, so |y| <= |a| 2^F, the intermediate
      const scaled = bx << BigInt(F);
      return { output: scaled, accumulator: scaled };
    }
    case 'reciprocal': {
      const scaled = absBig(intLikeToBig(step.numerator)) << BigInt(F);
      return { output: scaled, accumulator: scaled };
    }
    case 'sqrt':
      // floor(sqrt(x 2^F)) with x 2^F the intermediate
      return { output: isqrtBig(bx << BigInt(F)) + 1n, accumulator: bx << BigInt(F) };
    case 'reduce': {
      const n = BigInt(step.groupSize);
      switch (step.kind) {
        case 'sum':
        case 'l1':
          return { output: n * bx, accumulator: n * bx };
        case 'mean':
          // floor((s + floor(n/2)) / n) <= floor(B_x + 1/2) = B_x
          return { output: bx, accumulator: n * bx + n / 2n };
        case 'max':
        case 'min':
          return { output: bx, accumulator: 0n };
        case 'argmax':
        case 'argmin':
          return { output: (n - 1n) << BigInt(F), accumulator: 0n };
        case 'l2':
          // isqrt(n B_x^2) <= B_x sqrt(n) <= n B_x
          return { output: isqrtBig(n * bx * bx) + 1n, accumulator: n * bx * bx };
      }
    }
  }
}

/** floor(sqrt(v)) of a non-negative BigInt (Newton's method). */
function isqrtBig(v: bigint): bigint {
  if (v < 2n) return v;
  let x = v;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + v / x) / 2n;
  }
  return x;
}

/** Bounds of every tensor and step for a given fixed-point input bound. */
export function computeStaticBounds(steps: QuantStep[], inputBound: bigint, fractionBits: number): { tensors: bigint[]; accumulators: bigint[] } {
  const tensors: bigint[] = [inputBound];
  const accumulators: bigint[] = [];
  for (const step of steps) {
    const bound = stepBound(step, step.inputs.map((i) => tensors[i]), fractionBits);
    tensors.push(bound.output);
    accumulators.push(bound.accumulator);
  }
  return { tensors, accumulators };
}
