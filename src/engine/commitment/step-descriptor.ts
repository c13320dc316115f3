/**
 * Step descriptors and the steps root (docs/semantics.md section 11, format version 2). Each step
 * of a quantized model is ABI-encoded for contracts/libraries/LibStepDescriptor.sol:
 *
 *   abi.encode(uint256 op, uint256 fractionBits, uint256[] inputs, uint256[] outShape,
 *              int256[] ints, int256[] table, bytes32 mapRoot, uint256 mapLength)
 *
 * `ints` holds the op's integers (layout in STEP_INTS below and in section 11), `table` the PWL
 * values (sigmoid, tanh, softmax's exp), and `mapRoot` the tensor root of the gather index map or
 * of the avgPool multipliers (`mapLength` values), which can be large and are read chunk by chunk.
 * Parameter offsets point into the parameter vector of section 8.
 *
 *   stepLeaf_i = keccak256(abi.encode(uint256 i, keccak256(descriptor_i)))
 *   stepsRoot  = ordered Merkle root over the step leaves (bytes32(0) padding, as parametersRoot)
 */
import { type Hex, encodeAbiParameters, keccak256 } from 'viem';
import type { WindowGeometry } from '../geometry/window-geometry';
import type { PwlTable } from '../fixed-point/pwl-table';
import type { QuantizedModel, QuantStep } from '../quantize/quantized-model.types';
import { EngineError } from '../engine.errors';
import { COMPARE_KIND_CODES } from '../fixed-point/elementwise';
import { REDUCE_KIND_CODES } from '../fixed-point/reduce';
import {
  type MerkleProof,
  merkleLevels,
  merkleRootOfLevels,
  proofFromLevels,
  ZERO_HASH,
} from './merkle-tree';
import { splitModel } from './model-header';
import { tensorRoot } from './tensor-root';

/** Op codes of the descriptor, in the order of docs/semantics.md section 3. */
export const STEP_OP_CODES: Record<QuantStep['op'], number> = {
  linear: 0,
  conv: 1,
  affine: 2,
  addConst: 3,
  add: 4,
  sub: 5,
  relu: 6,
  leakyRelu: 7,
  clip: 8,
  avgPool: 9,
  maxPool: 10,
  gather: 11,
  reshape: 12,
  sigmoid: 13,
  tanh: 14,
  softmax: 15,
  // issue 13, appended (existing codes unchanged)
  mul: 16,
  abs: 17,
  sign: 18,
  floor: 19,
  ceil: 20,
  round: 21,
  compare: 22,
  compareConst: 23,
  pwl: 24,
  reduce: 25,
  sqrt: 26,
  div: 27,
  reciprocal: 28,
  matmul: 29,
};

const DESCRIPTOR_ABI = [
  { name: 'op', type: 'uint256' },
  { name: 'fractionBits', type: 'uint256' },
  { name: 'inputs', type: 'uint256[]' },
  { name: 'outShape', type: 'uint256[]' },
  { name: 'ints', type: 'int256[]' },
  { name: 'table', type: 'int256[]' },
  { name: 'mapRoot', type: 'bytes32' },
  { name: 'mapLength', type: 'uint256' },
] as const;

export interface StepDescriptor {
  op: number;
  fractionBits: number;
  inputs: number[];
  outShape: number[];
  ints: bigint[];
  table: bigint[];
  mapRoot: Hex;
  mapLength: number;
  /** The values behind mapRoot (gather indices, avgPool multipliers); not encoded. */
  map: bigint[];
}

/** [C, H, W, kh, kw, sh, sw, padTop, padLeft, padBottom, padRight, dh, dw, Ho, Wo]. */
export function geometryInts(g: WindowGeometry): bigint[] {
  return [
    g.inShape[1],
    g.inShape[2],
    g.inShape[3],
    ...g.kernel,
    ...g.strides,
    ...g.pads,
    ...g.dilations,
    ...g.outSpatial,
  ].map(BigInt);
}

/** [loFixed, hiFixed, shiftBits, belowValue, aboveValue]. */
function pwlInts(t: PwlTable): bigint[] {
  return [t.loFixed, t.hiFixed, t.shiftBits, t.belowValue, t.aboveValue].map(BigInt);
}

type Offsets = Record<string, { offset: number; length: number }>;

/** The op-specific integers, the PWL table and the index/multiplier map of one step. */
function stepData(step: QuantStep, offsets: Offsets): { ints: bigint[]; table: bigint[]; map: bigint[] } {
  const at = (field: string): bigint => BigInt(offsets[field].offset);
  const none = { table: [] as bigint[], map: [] as bigint[] };
  switch (step.op) {
    case 'linear':
      return {
        ints: [step.inFeatures, step.outFeatures].map(BigInt).concat(at('weights'), at('bias')),
        ...none,
      };
    case 'conv':
      return {
        ints: [...geometryInts(step.geometry), BigInt(step.outChannels), at('weights'), at('bias')],
        ...none,
      };
    case 'affine':
      return { ints: [BigInt(step.inner), BigInt(step.scale.length), at('scale'), at('shift')], ...none };
    case 'addConst':
      return { ints: [BigInt(step.inner), BigInt(step.values.length), at('values')], ...none };
    case 'add':
    case 'sub':
    case 'relu':
    case 'reshape':
      return { ints: [], ...none };
    case 'leakyRelu':
      return { ints: [BigInt(step.alpha)], ...none };
    case 'clip':
      return {
        ints: [
          step.min === null ? 0n : 1n,
          BigInt(step.min ?? 0),
          step.max === null ? 0n : 1n,
          BigInt(step.max ?? 0),
        ],
        ...none,
      };
    case 'avgPool':
      return {
        ints: [...geometryInts(step.geometry), step.countIncludePad ? 1n : 0n],
        table: [],
        map: step.multipliers.map(BigInt),
      };
    case 'maxPool':
      return { ints: geometryInts(step.geometry), ...none };
    case 'gather':
      return { ints: [BigInt(step.padValue)], table: [], map: step.indices.map(BigInt) };
    case 'sigmoid':
    case 'tanh':
      return { ints: pwlInts(step.table), table: step.table.values.map(BigInt), map: [] };
    case 'softmax':
      return {
        ints: [BigInt(step.groupSize), ...pwlInts(step.table)],
        table: step.table.values.map(BigInt),
        map: [],
      };
    case 'mul':
    case 'abs':
    case 'sign':
    case 'floor':
    case 'ceil':
    case 'round':
      return { ints: [], ...none };
    case 'compare':
      return { ints: [BigInt(COMPARE_KIND_CODES[step.kind])], ...none };
    case 'compareConst':
      return { ints: [BigInt(COMPARE_KIND_CODES[step.kind]), BigInt(step.constant)], ...none };
    case 'pwl':
      return {
        ints: [...pwlInts(step.table), BigInt(step.belowSlope), BigInt(step.aboveSlope)],
        table: step.table.values.map(BigInt),
        map: [],
      };
    case 'reduce':
      return { ints: [BigInt(REDUCE_KIND_CODES[step.kind]), BigInt(step.groupSize)], ...none };
    case 'sqrt':
    case 'div':
      return { ints: [], ...none };
    case 'reciprocal':
      return { ints: [BigInt(step.numerator)], ...none };
    case 'matmul':
      return { ints: [step.batch, step.rows, step.inner, step.cols].map(BigInt), ...none };
  }
}

/** Every step's descriptor (decoded form), with the parameter offsets of section 8. */
export function stepDescriptors(model: QuantizedModel): StepDescriptor[] {
  const { header } = splitModel(model);
  const headerSteps = header.steps as Offsets[];
  return model.steps.map((step, i) => {
    const { ints, table, map } = stepData(step, headerSteps[i]);
    return {
      op: STEP_OP_CODES[step.op],
      fractionBits: model.fractionBits,
      inputs: step.inputs,
      outShape: step.outShape,
      ints,
      table,
      mapRoot: map.length === 0 ? ZERO_HASH : tensorRoot(map),
      mapLength: map.length,
      map,
    };
  });
}

export function encodeDescriptor(d: StepDescriptor): Hex {
  return encodeAbiParameters(DESCRIPTOR_ABI, [
    BigInt(d.op),
    BigInt(d.fractionBits),
    d.inputs.map(BigInt),
    d.outShape.map(BigInt),
    d.ints,
    d.table,
    d.mapRoot,
    BigInt(d.mapLength),
  ]);
}

/** The ABI encoding of step `index`'s descriptor. */
export function encodeStepDescriptor(model: QuantizedModel, index: number): Hex {
  if (!Number.isInteger(index) || index < 0 || index >= model.steps.length) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `step ${index} does not exist; the model has ${model.steps.length} steps`,
    );
  }
  return encodeDescriptor(stepDescriptors(model)[index]);
}

/** keccak256(abi.encode(uint256 i, keccak256(descriptor))). */
export function stepLeaf(index: number, descriptor: Hex): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'uint256' }, { type: 'bytes32' }], [BigInt(index), keccak256(descriptor)]),
  );
}

export interface StepsTree {
  root: Hex;
  stepCount: number;
  descriptors: StepDescriptor[];
  encoded: Hex[];
  /** Sibling hashes of step `index`'s leaf, from the leaf level up. */
  proof(index: number): Hex[];
}

export function stepsTree(model: QuantizedModel): StepsTree {
  const descriptors = stepDescriptors(model);
  const encoded = descriptors.map(encodeDescriptor);
  const levels = merkleLevels(encoded.map((d, i) => stepLeaf(i, d)));
  return {
    root: merkleRootOfLevels(levels),
    stepCount: descriptors.length,
    descriptors,
    encoded,
    proof: (index: number): Hex[] => {
      if (!Number.isInteger(index) || index < 0 || index >= descriptors.length) {
        throw new EngineError(
          'INVALID_ARGUMENT',
          `step ${index} does not exist; the model has ${descriptors.length} steps`,
        );
      }
      return (proofFromLevels(levels, index, []) satisfies MerkleProof).siblings;
    },
  };
}

/** The Merkle root over the step descriptors (bytes32(0) for a model without steps). */
export function stepsRoot(model: QuantizedModel): Hex {
  return stepsTree(model).root;
}
