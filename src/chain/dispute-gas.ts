/**
 * The registration bound of docs/disputes.md ("The bound"): from a quantized model's shapes, the
 * worst-case gas of every move of a dispute over one of its results, and of Settlement.reveal.
 * Every move is bounded by construction except two that grow with the model: oneStep (the fan-in
 * of one output value: its witness calldata, the chunks it hashes, the reads it scans) and reveal
 * (the output length). A model whose costliest move passes MAX_DISPUTE_MOVE_GAS is refused for
 * optimistic mode (ModelsError DISPUTE_MOVE_OVER_BUDGET), so an honest party can always post its
 * move within a block.
 *
 * The figures are an upper bound calibrated on anvil (test/integration/contracts/dispute-gas
 * .integration-spec.ts checks estimate >= measured on the fixtures and both attack shapes): every
 * calldata byte is priced as non-zero, memory with its quadratic term, and each constant below
 * carries a margin over what was measured. Pure: no chain access.
 */
import {
  PARAMETER_CHUNK_SIZE_VALUES as CHUNK,
  buildOneStepWitness,
  depthOf,
  elementNeeds,
  oneStepReads,
  stepsTree,
  type QuantizedModel,
  type StepDescriptor,
} from '../engine';
import type { DisputeFunction } from './dispute-calls';
import { DISPUTE_PAGE_DEPTH as PAGE_DEPTH } from './dispute-game';

/** Protocol constant: no dispute move (nor the reveal) of an optimistic model may need more gas (a 30M block). */
export const MAX_DISPUTE_MOVE_GAS = 10_000_000;

/** Calldata per byte, priced as non-zero (EIP-2028). */
const CALLDATA_GAS_PER_BYTE = 16;
const TX_BASE_GAS = 21_000;
/** A result batch of up to 2^20 leaves (the leaf proof `open` checks). */
const MAX_BATCH_DEPTH = 20;

/** Calibrated constants (gas), each with a margin over the anvil measurements. */
const COST = {
  /** open with the Settlement as host: storage of the dispute, signature, callbacks. */
  openBase: 520_000,
  openPerProofLevel: 2_000,
  /** A page: per node, calldata aside (hashing, the padding check, the event's data). */
  pageBase: 60_000,
  pagePerNode: 1_400,
  /** A pick: storage of the node, the proof per level. */
  pickBase: 75_000,
  pickPerLevel: 1_200,
  /** A pick that reaches a step's leaf: the executor's descriptor check. */
  stepPickBase: 60_000,
  stepPickPerDescriptorByte: 40,
  stepPickPerProofLevel: 1_500,
  revealChunkValues: 90_000,
  /** oneStep: the game's own work (values check, resolution, the host's slash bookkeeping). */
  oneStepBase: 420_000,
  oneStepPerChunk: 1_000,
  oneStepPerSibling: 400,
  /** Each value the op reads scans the reads of the witness (OneStepExecutor._span). */
  oneStepPerLookupRead: 150,
  oneStepPerLookup: 2_800,
  /** Per value accumulated (a linear row, a softmax group). */
  oneStepPerValue: 250,
  oneStepPerDescriptorByte: 40,
  /** Settlement.reveal: leaf proof, signature, request bookkeeping; per output value its storage slot and hashing. */
  revealBase: 260_000,
  revealPerValue: 24_000,
} as const;

/** A move of a dispute, or the reveal (what the bound covers). */
export type DisputeMove = Exclude<DisputeFunction, 'claimTimeout' | 'withdraw'> | 'reveal';

export interface MoveGasEstimate {
  move: DisputeMove;
  gas: number;
  /** The step the figure is for (oneStep, a step pick, a chunk page), when it depends on one. */
  step?: number;
  op?: string;
}

export interface DisputeGasReport {
  /** The worst case of each move (per move kind, over every step). */
  moves: MoveGasEstimate[];
  /** The worst oneStep of each step. */
  oneStepByStep: MoveGasEstimate[];
  costliest: MoveGasEstimate;
}

/** Memory expansion cost of `words` 32-byte words (yellow paper: 3 w + w^2 / 512). */
function memoryGas(words: number): number {
  return 3 * words + Math.floor((words * words) / 512);
}

const bytesOf = (hex: string) => (hex.length - 2) / 2;

/** Elements to try for a step's worst one-step: the ends, the middle and 16 consecutive (chunk alignments). */
function candidateElements(length: number): number[] {
  const middle = Math.floor(length / 2);
  const picks = [0, length - 1];
  for (let j = 0; j < CHUNK; j++) picks.push(Math.min(length - 1, middle + j), Math.min(length - 1, j * 17));
  return [...new Set(picks)];
}

/** The oneStep gas of element `element` of step `step`, from its exact witness (values zero, sizes exact). */
function oneStepGas(
  model: QuantizedModel,
  zeroTrace: Float64Array[],
  step: number,
  element: number,
  descriptor: StepDescriptor,
  descriptorBytes: number,
): number {
  const witnessBytes = bytesOf(buildOneStepWitness(model, zeroTrace, step, element));
  const reads = oneStepReads(model, zeroTrace, step, element);
  const needs = elementNeeds(descriptor, element);
  const chunks = reads.reduce((n, r) => n + r.values.length / CHUNK, 0);
  const siblings = reads.reduce((n, r) => n + r.siblings.length, 0);
  const values = needs.reduce((n, [, , count]) => n + count, 0);
  // the game's calldata (witness, 16 values, id, offset, offsets), then the witness again in the
  // game's memory for the call and decoded (about twice its size) in the executor's
  const calldata = CALLDATA_GAS_PER_BYTE * (witnessBytes + 4 + 32 * 22);
  const memory = memoryGas(Math.ceil(witnessBytes / 32) + 64) + memoryGas(Math.ceil((2 * witnessBytes) / 32) + 64);
  return (
    TX_BASE_GAS +
    COST.oneStepBase +
    calldata +
    memory +
    COST.oneStepPerChunk * chunks +
    COST.oneStepPerSibling * siblings +
    COST.oneStepPerLookupRead * needs.length * reads.length +
    COST.oneStepPerLookup * needs.length +
    COST.oneStepPerValue * values +
    COST.oneStepPerDescriptorByte * descriptorBytes
  );
}

function pageGas(nodes: number): number {
  return TX_BASE_GAS + COST.pageBase + nodes * (CALLDATA_GAS_PER_BYTE * 32 + COST.pagePerNode);
}

function pickGas(levels: number): number {
  return TX_BASE_GAS + COST.pickBase + levels * (CALLDATA_GAS_PER_BYTE * 32 + COST.pickPerLevel);
}

/** The worst-case gas of every dispute move (and of the reveal) for `model`. */
export function disputeGasReport(model: QuantizedModel): DisputeGasReport {
  const steps = stepsTree(model);
  const stepCount = model.steps.length;
  const traceDepth = depthOf(stepCount + 1);
  const stepsDepth = depthOf(stepCount);
  const length = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const zeroTrace = [
    new Float64Array(length(model.inputShape)),
    ...model.steps.map((s) => new Float64Array(length(s.outShape))),
  ];
  const worst = (a: MoveGasEstimate, b: MoveGasEstimate) => (b.gas > a.gas ? b : a);

  const oneStepByStep: MoveGasEstimate[] = model.steps.map((s, step) => {
    const descriptorBytes = bytesOf(steps.encoded[step]);
    const gas = Math.max(
      ...candidateElements(length(s.outShape)).map((e) =>
        oneStepGas(model, zeroTrace, step, e, steps.descriptors[step], descriptorBytes),
      ),
    );
    return { move: 'oneStep', gas, step, op: s.op };
  });
  const stepPicks: MoveGasEstimate[] = model.steps.map((s, step) => ({
    move: 'pickTraceNode',
    gas:
      pickGas(Math.min(PAGE_DEPTH, traceDepth)) +
      COST.stepPickBase +
      bytesOf(steps.encoded[step]) * (CALLDATA_GAS_PER_BYTE + COST.stepPickPerDescriptorByte) +
      stepsDepth * (CALLDATA_GAS_PER_BYTE * 32 + COST.stepPickPerProofLevel),
    step,
    op: s.op,
  }));
  const chunkPages: MoveGasEstimate[] = model.steps.map((s, step) => ({
    move: 'revealChunkPage',
    gas: pageGas(2 ** Math.min(PAGE_DEPTH, depthOf(Math.ceil(length(s.outShape) / CHUNK)))),
    step,
    op: s.op,
  }));
  const moves: MoveGasEstimate[] = [
    { move: 'open', gas: TX_BASE_GAS + COST.openBase + MAX_BATCH_DEPTH * (CALLDATA_GAS_PER_BYTE * 32 + COST.openPerProofLevel) },
    { move: 'revealTracePage', gas: pageGas(2 ** Math.min(PAGE_DEPTH, traceDepth)) },
    stepPicks.reduce(worst),
    chunkPages.reduce(worst),
    { move: 'pickChunkNode', gas: pickGas(PAGE_DEPTH) },
    { move: 'revealChunkValues', gas: TX_BASE_GAS + COST.revealChunkValues + CALLDATA_GAS_PER_BYTE * 32 * 18 },
    oneStepByStep.reduce(worst),
    {
      move: 'reveal',
      gas:
        TX_BASE_GAS +
        COST.revealBase +
        length(model.outputShape) * (CALLDATA_GAS_PER_BYTE * 32 + COST.revealPerValue),
    },
  ];
  return { moves, oneStepByStep, costliest: moves.reduce(worst) };
}
