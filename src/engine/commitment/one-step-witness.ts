/**
 * The witness of OneStepExecutor.executeElement (docs/semantics.md section 11):
 *
 *   abi.encode(bytes descriptor, bytes32[] descriptorProof,
 *              (bytes32 root, bytes32[] siblings)[] inputRoots,
 *              (uint256 source, uint256 first, uint256 depth, int256[] values, bytes32[] siblings)[] reads)
 *
 * inputRoots[s] is the tensor root of the step's input slot s (trace tensor d.inputs[s]) with its
 * proof against the trace root (format v3: the trace commitment is a Merkle root over tensor roots).
 *
 * Each read is a maximal run of the chunks one output value needs from one source (input slot s of
 * the step = source s, the parameter vector = SOURCE_PARAMETERS, the step's index map or
 * multipliers = SOURCE_MAP), with its range proof (tensor-root.ts, LibTensorRoot.rangeRoot). Only
 * the chunks needed are sent: a linear neuron reads its input row, its weight row and its bias; a
 * conv position its receptive field and its filter; an elementwise value one chunk per source.
 */
import { type Hex, encodeAbiParameters } from 'viem';
import { PARAMETER_CHUNK_SIZE_VALUES as CHUNK } from '../engine.constants';
import { EngineError } from '../engine.errors';
import type { QuantizedModel } from '../quantize/quantized-model.types';
import { splitModel } from './model-header';
import { STEP_OP_CODES, type StepDescriptor, type StepsTree, stepsTree } from './step-descriptor';
import { ChunkTree, type TensorValues, tensorRoot } from './tensor-root';
import { WordTree } from './word-tree';

export const SOURCE_PARAMETERS = 254;
export const SOURCE_MAP = 255;

const WITNESS_ABI = [
  { name: 'descriptor', type: 'bytes' },
  { name: 'descriptorProof', type: 'bytes32[]' },
  {
    name: 'inputRoots',
    type: 'tuple[]',
    components: [
      { name: 'root', type: 'bytes32' },
      { name: 'siblings', type: 'bytes32[]' },
    ],
  },
  {
    name: 'reads',
    type: 'tuple[]',
    components: [
      { name: 'source', type: 'uint256' },
      { name: 'first', type: 'uint256' },
      { name: 'depth', type: 'uint256' },
      { name: 'values', type: 'int256[]' },
      { name: 'siblings', type: 'bytes32[]' },
    ],
  },
] as const;

/** A trace tree the witness proves input roots against: the honest one, or a challenger's PartialTree. */
export interface TraceTreeView {
  node(height: number, index: number): Hex;
  proof(leaf: number): Hex[];
}

export interface InputRoot {
  root: Hex;
  siblings: Hex[];
}

export interface ChunkRead {
  source: number;
  first: number;
  depth: number;
  values: bigint[];
  siblings: Hex[];
}

/** Flat value indices needed per source: [source, start, count] triples. */
type Need = [source: number, start: number, count: number];

const OP = STEP_OP_CODES;

/** Flat input index of window tap (c, i, j) at output (oh, ow), or -1 for a padded tap (geometryInts layout). */
function tap(g: number[], c: number, oh: number, ow: number, i: number, j: number): number {
  const h = oh * g[5] - g[7] + i * g[11];
  const w = ow * g[6] - g[8] + j * g[12];
  if (h < 0 || w < 0 || h >= g[1] || w >= g[2]) return -1;
  return (c * g[1] + h) * g[2] + w;
}

function windowNeeds(g: number[], oh: number, ow: number, channels: number[]): Need[] {
  const needs: Need[] = [];
  for (const ch of channels)
    for (let i = 0; i < g[3]; i++)
      for (let j = 0; j < g[4]; j++) {
        const src = tap(g, ch, oh, ow, i, j);
        if (src >= 0) needs.push([0, src, 1]);
      }
  return needs;
}

/** What executeElement reads for element `e` of a step (mirrors OneStepExecutor._execute). */
export function elementNeeds(d: StepDescriptor, e: number): Need[] {
  const ints = d.ints.map(Number);
  switch (d.op) {
    case OP.linear: {
      const [k, n, w, b] = ints;
      const j = e % n;
      return [
        [0, Math.floor(e / n) * k, k],
        [SOURCE_PARAMETERS, w + j * k, k],
        [SOURCE_PARAMETERS, b + j, 1],
      ];
    }
    case OP.conv: {
      const positions = ints[13] * ints[14];
      const oc = Math.floor(e / positions);
      const cols = ints[0] * ints[3] * ints[4];
      const oh = Math.floor((e % positions) / ints[14]);
      const channels = Array.from({ length: ints[0] }, (_, c) => c);
      return [
        [SOURCE_PARAMETERS, ints[16] + oc * cols, cols],
        [SOURCE_PARAMETERS, ints[17] + oc, 1],
        ...windowNeeds(ints, oh, e % ints[14], channels),
      ];
    }
    case OP.avgPool:
    case OP.maxPool: {
      const positions = ints[13] * ints[14];
      const needs = windowNeeds(ints, Math.floor((e % positions) / ints[14]), e % ints[14], [
        Math.floor(e / positions),
      ]);
      return d.op === OP.avgPool ? [...needs, [SOURCE_MAP, e % positions, 1]] : needs;
    }
    case OP.gather: {
      const index = Number(d.map[e]);
      return index >= 0
        ? [
            [SOURCE_MAP, e, 1],
            [0, index, 1],
          ]
        : [[SOURCE_MAP, e, 1]];
    }
    case OP.softmax: {
      const size = ints[0];
      return [[0, Math.floor(e / size) * size, size]];
    }
    case OP.matmul: {
      // a row of the left operand and a row of the transposed right operand (section 3.7)
      const [, rows, inner, cols] = ints;
      const b = Math.floor(e / (rows * cols));
      const m = Math.floor(e / cols) % rows;
      return [
        [0, (b * rows + m) * inner, inner],
        [1, (b * cols + (e % cols)) * inner, inner],
      ];
    }
    case OP.reduce: {
      // the whole group of output value e (section 3.3)
      const size = ints[1];
      return [[0, e * size, size]];
    }
    case OP.affine: {
      const p = Math.floor(e / ints[0]) % ints[1];
      return [
        [0, e, 1],
        [SOURCE_PARAMETERS, ints[2] + p, 1],
        [SOURCE_PARAMETERS, ints[3] + p, 1],
      ];
    }
    case OP.addConst:
      return [
        [0, e, 1],
        [SOURCE_PARAMETERS, ints[2] + (Math.floor(e / ints[0]) % ints[1]), 1],
      ];
    case OP.add:
    case OP.sub:
    case OP.mul:
    case OP.compare:
    case OP.div:
      return [
        [0, e, 1],
        [1, e, 1],
      ];
    default:
      return [[0, e, 1]];
  }
}

/** Maximal runs of consecutive chunk indices. */
function chunkRuns(chunks: Set<number>): [first: number, count: number][] {
  const sorted = [...chunks].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const c of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === c) last[1]++;
    else runs.push([c, 1]);
  }
  return runs;
}

interface ModelTrees {
  steps: StepsTree;
  parameters: ChunkTree;
  maps: Map<number, ChunkTree>;
}

/** Cached per model object and per tensor array (a witness builder is called for many elements). */
const MODEL_TREES = new WeakMap<QuantizedModel, ModelTrees>();
const TENSOR_TREES = new WeakMap<object, ChunkTree>();

function modelTrees(model: QuantizedModel): ModelTrees {
  let trees = MODEL_TREES.get(model);
  if (!trees) {
    trees = {
      steps: stepsTree(model),
      parameters: new ChunkTree(splitModel(model).parameters),
      maps: new Map(),
    };
    MODEL_TREES.set(model, trees);
  }
  return trees;
}

function tensorTree(values: TensorValues & object): ChunkTree {
  let tree = TENSOR_TREES.get(values);
  if (!tree) {
    tree = new ChunkTree(values);
    TENSOR_TREES.set(values, tree);
  }
  return tree;
}

const TRACE_TREES = new WeakMap<object, WordTree>();

/** The trace tree of a whole trace (cached per trace array). */
function honestTraceTree(trace: readonly (TensorValues & object)[]): WordTree {
  let tree = TRACE_TREES.get(trace);
  if (!tree) {
    tree = new WordTree(trace.map((t) => tensorRoot(t)));
    TRACE_TREES.set(trace, tree);
  }
  return tree;
}

/** The reads (runs of chunks with range proofs) element `element` of step `stepIndex` needs. */
export function oneStepReads(
  model: QuantizedModel,
  trace: readonly (TensorValues & object)[],
  stepIndex: number,
  element: number,
): ChunkRead[] {
  const trees = modelTrees(model);
  const d = trees.steps.descriptors[stepIndex];
  const bySource = new Map<number, Set<number>>();
  for (const [source, start, count] of elementNeeds(d, element)) {
    const chunks = bySource.get(source) ?? new Set<number>();
    for (let c = Math.floor(start / CHUNK); c <= Math.floor((start + count - 1) / CHUNK); c++) chunks.add(c);
    bySource.set(source, chunks);
  }
  const treeOf = (source: number): ChunkTree => {
    if (source === SOURCE_PARAMETERS) return trees.parameters;
    if (source === SOURCE_MAP) {
      if (!trees.maps.has(stepIndex)) trees.maps.set(stepIndex, new ChunkTree(d.map));
      return trees.maps.get(stepIndex)!;
    }
    const tensor = trace[d.inputs[source]];
    if (!tensor)
      throw new EngineError(
        'INVALID_ARGUMENT',
        `the trace has no tensor ${d.inputs[source]} (input ${source} of step ${stepIndex})`,
      );
    return tensorTree(tensor);
  };
  return [...bySource.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([source, chunks]) =>
      chunkRuns(chunks).map(([first, count]) => ({ source, ...treeOf(source).rangeProof(first, count) })),
    );
}

export function encodeOneStepWitness(
  descriptor: Hex,
  descriptorProof: readonly Hex[],
  inputRoots: readonly InputRoot[],
  reads: readonly ChunkRead[],
): Hex {
  return encodeAbiParameters(WITNESS_ABI, [
    descriptor,
    [...descriptorProof],
    inputRoots.map((r) => ({ root: r.root, siblings: r.siblings })),
    reads.map((r) => ({
      source: BigInt(r.source),
      first: BigInt(r.first),
      depth: BigInt(r.depth),
      values: r.values,
      siblings: r.siblings,
    })),
  ]);
}

/**
 * The `_witness` bytes of OneStepExecutor.executeElement for value `element` of the output of step
 * `stepIndex`; `trace[t]` is tensor t (0 = the quantized input, i + 1 = the output of step i). The
 * input roots are proven against `traceTree` (default: the tree of `trace`'s own tensor roots; a
 * challenger passes its PartialTree of the defender's trace). An element at or past the output
 * length gets the descriptor and its proof only (the executor returns 0).
 */
export function buildOneStepWitness(
  model: QuantizedModel,
  trace: readonly (TensorValues & object)[],
  stepIndex: number,
  element: number,
  traceTree?: TraceTreeView,
): Hex {
  if (!Number.isInteger(stepIndex) || stepIndex < 0 || stepIndex >= model.steps.length) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `step ${stepIndex} does not exist; the model has ${model.steps.length} steps`,
    );
  }
  if (!Number.isInteger(element) || element < 0)
    throw new EngineError('INVALID_ARGUMENT', `element ${element} is not a flat index`);
  const trees = modelTrees(model);
  const outputLength = model.steps[stepIndex].outShape.reduce((a, v) => a * v, 1);
  if (element >= outputLength) return encodeOneStepWitness(trees.steps.encoded[stepIndex], trees.steps.proof(stepIndex), [], []);
  const tree = traceTree ?? honestTraceTree(trace);
  const inputRoots = trees.steps.descriptors[stepIndex].inputs.map((t) => ({ root: tree.node(0, t), siblings: tree.proof(t) }));
  const reads = oneStepReads(model, trace, stepIndex, element);
  return encodeOneStepWitness(trees.steps.encoded[stepIndex], trees.steps.proof(stepIndex), inputRoots, reads);
}
