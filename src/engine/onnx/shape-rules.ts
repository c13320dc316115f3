/** ONNX shape rules for layout ops (Reshape, Flatten, Squeeze, Unsqueeze), all with batch 1. */
import { EngineError } from '../engine.errors';
import { numel } from './const-tensor';

export function normalizeAxis(axis: number, rank: number, where: string): number {
  const normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= Math.max(rank, 1)) {
    throw new EngineError('INPUT_SHAPE', `axis ${axis} is out of range for rank ${rank} at ${where}`);
  }
  return normalized;
}

/** Reshape target with 0 (copy, unless allowzero) and one -1 (inferred). */
export function resolveReshape(inShape: number[], target: number[], allowZero: boolean, where: string): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? inShape[i] : d));
  const inferred = out.filter((d) => d === -1).length;
  if (inferred > 1 || out.some((d) => d === undefined || !Number.isSafeInteger(d) || d < -1)) {
    throw new EngineError('INPUT_SHAPE', `invalid Reshape target [${target.join(',')}] at ${where}`);
  }
  const known = numel(out.filter((d) => d !== -1));
  const total = numel(inShape);
  if (inferred === 1) {
    if (known === 0 || total % known !== 0) {
      throw new EngineError('INPUT_SHAPE', `cannot reshape [${inShape.join(',')}] to [${target.join(',')}] at ${where}`);
    }
    out[out.indexOf(-1)] = total / known;
  }
  if (numel(out) !== total) {
    throw new EngineError('INPUT_SHAPE', `cannot reshape [${inShape.join(',')}] (${total} values) to [${out.join(',')}] at ${where}`);
  }
  return out;
}

export function unsqueezeShape(shape: number[], axes: number[], where: string): number[] {
  const rank = shape.length + axes.length;
  const normalized = axes.map((a) => normalizeAxis(a, rank, where)).sort((a, b) => a - b);
  const out = shape.slice();
  for (const axis of normalized) out.splice(axis, 0, 1);
  return out;
}

export function squeezeShape(shape: number[], axes: number[], where: string): number[] {
  if (axes.length === 0) return shape.filter((d) => d !== 1);
  const normalized = new Set(axes.map((a) => normalizeAxis(a, shape.length, where)));
  for (const axis of normalized) {
    if (shape[axis] !== 1) throw new EngineError('INPUT_SHAPE', `cannot squeeze axis ${axis} of size ${shape[axis]} at ${where}`);
  }
  return shape.filter((_, i) => !normalized.has(i));
}
