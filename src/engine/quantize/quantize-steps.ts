/** Quantize one normalized float step at fraction F (weights at 2^F, biases/shifts at 2^(2F)). */
import { EXP_TABLE_DOMAIN, SIGMOID_TABLE_DOMAIN, TANH_TABLE_DOMAIN } from '../engine.constants';
import { type IntLike, quantizeReal, toIntLike } from '../fixed-point/fixed-point-arith';
import { buildPwlTable } from '../fixed-point/pwl-table';
import { buildUnaryPwl } from '../fixed-point/unary-pwl';
import { type WindowGeometry, poolWindowMap, windowTaps } from '../geometry/window-geometry';
import type { FloatStep } from '../onnx/imported-model.types';
import type { QuantStep } from './quantized-model.types';

function q(values: ArrayLike<number>, scaleBits: number): IntLike[] {
  return Array.from(values, (v) => toIntLike(quantizeReal(v, scaleBits)));
}

/** q(1 / count, F) for every output position of an average pool (count per count_include_pad). */
export function avgPoolMultipliers(geometry: WindowGeometry, countIncludePad: boolean, fractionBits: number): IntLike[] {
  const taps = windowTaps(geometry);
  const positions = geometry.outSpatial[0] * geometry.outSpatial[1];
  const map = poolWindowMap(geometry);
  const out: IntLike[] = [];
  for (let p = 0; p < positions; p++) {
    let count = taps;
    if (!countIncludePad) {
      count = 0;
      for (let t = 0; t < taps; t++) if (map[p * taps + t] >= 0) count++;
    }
    out.push(toIntLike(quantizeReal(1 / count, fractionBits)));
  }
  return out;
}

export function quantizeStep(step: FloatStep, fractionBits: number): QuantStep {
  const F = fractionBits;
  const base = { name: step.name, onnxOp: step.onnxOp, inputs: step.inputs.slice(), outShape: step.outShape.slice() };
  switch (step.op) {
    case 'linear':
      return { ...base, op: 'linear', inFeatures: step.inFeatures, outFeatures: step.outFeatures, weights: q(step.weights, F), bias: q(step.bias, 2 * F) };
    case 'conv':
      return { ...base, op: 'conv', geometry: step.geometry, outChannels: step.outChannels, weights: q(step.weights, F), bias: q(step.bias, 2 * F) };
    case 'affine':
      return { ...base, op: 'affine', inner: step.inner, scale: q(step.scale, F), shift: q(step.shift, 2 * F) };
    case 'addConst':
      return { ...base, op: 'addConst', inner: step.inner, values: q(step.values, F) };
    case 'add':
    case 'sub':
    case 'relu':
    case 'reshape':
      return { ...base, op: step.op };
    case 'leakyRelu':
      return { ...base, op: 'leakyRelu', alpha: toIntLike(quantizeReal(step.alpha, F)) };
    case 'clip': {
      const bound = (v: number | null): IntLike | null => (v === null ? null : toIntLike(quantizeReal(v, F)));
      return { ...base, op: 'clip', min: bound(step.min), max: bound(step.max) };
    }
    case 'avgPool':
      return { ...base, op: 'avgPool', geometry: step.geometry, countIncludePad: step.countIncludePad, multipliers: avgPoolMultipliers(step.geometry, step.countIncludePad, F) };
    case 'maxPool':
      return { ...base, op: 'maxPool', geometry: step.geometry };
    case 'gather':
      return { ...base, op: 'gather', indices: Array.from(step.indices), padValue: toIntLike(quantizeReal(step.padValue, F)) };
    case 'sigmoid':
      return { ...base, op: 'sigmoid', table: buildPwlTable('sigmoid', SIGMOID_TABLE_DOMAIN, F) };
    case 'tanh':
      return { ...base, op: 'tanh', table: buildPwlTable('tanh', TANH_TABLE_DOMAIN, F) };
    case 'softmax':
      return { ...base, op: 'softmax', groupSize: step.groupSize, table: buildPwlTable('exp', EXP_TABLE_DOMAIN, F) };
    case 'mul':
    case 'abs':
    case 'sign':
    case 'floor':
    case 'ceil':
    case 'round':
      return { ...base, op: step.op };
    case 'compare':
      return { ...base, op: 'compare', kind: step.kind };
    case 'compareConst':
      return { ...base, op: 'compareConst', kind: step.kind, constant: toIntLike(quantizeReal(step.constant, F)) };
    case 'pwl': {
      const pwl = buildUnaryPwl(step.fn, step.alpha, step.gamma, F);
      return { ...base, op: 'pwl', fn: step.fn, table: pwl.table, belowSlope: toIntLike(pwl.belowSlope), aboveSlope: toIntLike(pwl.aboveSlope) };
    }
    case 'reduce':
      return { ...base, op: 'reduce', kind: step.kind, groupSize: step.groupSize };
    case 'sqrt':
    case 'div':
      return { ...base, op: step.op };
    case 'matmul':
      return { ...base, op: 'matmul', batch: step.batch, rows: step.rows, inner: step.inner, cols: step.cols };
    case 'reciprocal':
      return { ...base, op: 'reciprocal', numerator: toIntLike(quantizeReal(step.numerator, F)) };
  }
}
