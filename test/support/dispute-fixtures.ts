/**
 * Real models, honest and dishonest traces, result leaves and both parties of a dispute, for the
 * optimistic-mode specs and the dispute bench: the MNIST MLP (quantized with its calibration set)
 * and the 3l_relu_conv_fc conformance fixture, evaluated with the engine; a dishonest worker's
 * trace (one value of one step changed, later steps recomputed with the engine's kernels or kept);
 * an honest challenger that bisects with the engine and builds the one-step witness with
 * buildOneStepWitness; a defender that answers from the trace its worker committed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import {
  DisputePhase,
  type DisputeClient,
  type DisputeView,
  type ModelParts,
  type RevealedPage,
} from '../../src/chain/dispute-client';
import { challengerMove, defenderMove, type PlannedMove } from '../../src/challenges/dispute-strategy';
import type { ResultLeaf } from '../../src/chain/result-merkle';
import { commitModel, type ModelCommitment } from '../../src/engine/commitment/model-commitment';
import { buildOneStepWitness } from '../../src/engine/commitment/one-step-witness';
import { stepsTree, type StepsTree } from '../../src/engine/commitment/step-descriptor';
import { traceOf, type Trace } from '../../src/engine/commitment/trace';
import { pageProof } from '../../src/engine/commitment/word-tree';
import { quantizeInput } from '../../src/engine/evaluator/input-quantize';
import { parseInputs } from '../../src/engine/io/input-json';
import { loadMnistHoldout, mnistFixtureDir } from '../../src/engine/mnist/mnist-data';
import { importOnnx } from '../../src/engine/onnx/onnx-import';
import { quantize } from '../../src/engine/quantize/quantize';
import type { QuantizedModel } from '../../src/engine/quantize/quantized-model.types';
import { globalPoolConvModel, reluChainModel, wideConvModel } from '../../src/engine/testing/attack-models';
import { seededValues } from '../../src/engine/testing/float-model-builder';

export type DisputeModelName = 'mnist-mlp' | '3l_relu_conv_fc' | 'wide-conv' | 'relu-chain' | 'global-pool-conv';

/** A quantized model with its commitment (format v3), its model parts (the game's `open` argument) and steps tree. */
export interface DisputeModel {
  name: DisputeModelName;
  model: QuantizedModel;
  commitment: ModelCommitment;
  parts: ModelParts;
  steps: StepsTree;
  /** Real inputs to evaluate (MNIST: held-back digits; the fixture: its input.json). */
  sampleInputs: number[][];
}

const CONFORMANCE_DIR = join(__dirname, '../fixtures/onnx-conformance');

export function loadDisputeModel(name: DisputeModelName): DisputeModel {
  let model: QuantizedModel;
  let sampleInputs: number[][];
  if (name === 'mnist-mlp') {
    const dir = mnistFixtureDir();
    const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')));
    model = quantize(importOnnx(readFileSync(join(dir, 'mnist-mlp.onnx'))), { calibration });
    sampleInputs = loadMnistHoldout().inputs.slice(0, 4);
  } else if (name === 'wide-conv' || name === 'relu-chain' || name === 'global-pool-conv') {
    // the two attack shapes of issue 18 (C1), and a model the registration bound refuses, with seeded inputs
    const builders = { 'wide-conv': wideConvModel, 'relu-chain': reluChainModel, 'global-pool-conv': globalPoolConvModel };
    model = quantize(importOnnx(builders[name]()));
    const length = model.inputShape.reduce((a, b) => a * b, 1);
    sampleInputs = [seededValues(length, 5, model.inputBoundReal / 2)];
  } else {
    const dir = join(CONFORMANCE_DIR, name);
    const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'input.json'), 'utf8')));
    model = quantize(importOnnx(readFileSync(join(dir, 'network.onnx'))), { calibration });
    sampleInputs = calibration;
  }
  const commitment = commitModel(model);
  return {
    name,
    model,
    commitment,
    parts: {
      headerHash: commitment.headerHash,
      parametersRoot: commitment.parametersRoot,
      parameterCount: BigInt(commitment.parameterCount),
      stepsRoot: commitment.stepsRoot,
      stepCount: BigInt(commitment.stepCount),
    },
    steps: stepsTree(model),
    sampleInputs,
  };
}

export type { Trace } from '../../src/engine/commitment/trace';
export { tamperedTrace, type Tampering } from '../../src/worker/fault-injection';

/** The engine's (honest) trace of a real input. */
export function honestTrace(model: QuantizedModel, input: readonly number[]): Trace {
  return traceOf(model, quantizeInput(model, input));
}

/** The first element of step `step`'s honest output that is positive (survives a following ReLU). */
export function firstPositive(honest: Trace, step: number): number {
  const index = honest.tensors[step + 1].findIndex((v) => v > 0n);
  if (index < 0) throw new RangeError(`step ${step} has no positive value`);
  return index;
}

/** The result leaf a worker signs for a trace of `model`. */
export function resultLeafOf(requestId: Hex, model: DisputeModel, trace: Trace, worker: Address): ResultLeaf {
  return {
    requestId,
    modelCommitment: model.commitment.commitment,
    inputCommitment: trace.inputCommitment,
    outputCommitment: trace.outputCommitment,
    traceCommitment: trace.traceCommitment,
    worker,
  };
}

export interface PlayedMove {
  move: string;
  by: 'challenger' | 'defender';
  gasUsed: bigint;
}

export interface DisputeParties {
  disputeId: bigint;
  model: DisputeModel;
  /** Sends the challenger's moves (the account that opened the dispute). */
  challenger: DisputeClient;
  /** Sends the defender's moves (anyone). */
  defender: DisputeClient;
  /** The trace the worker committed (what the defender reveals). */
  claimed: Trace;
  /** The challenger's own trace of the same input (the engine's). */
  own: Trace;
  /**
   * What a challenger disputing a trace it agrees with plays (a dishonest challenger): this step,
   * chunk and offset. Without it the challenger stops when it finds nothing to dispute.
   */
  insist?: { step: number; chunk: number; offset: number };
}

/**
 * Plays a dispute from its first page to its decision with the daemons' own strategy
 * (src/challenges/dispute-strategy.ts): the defender answers from the claimed trace, the challenger
 * plays the honest strategy from its own trace, or, with `insist`, the given step, chunk and value
 * where it finds nothing to dispute. Returns every move with its gas.
 */
export async function playDispute(parties: DisputeParties): Promise<PlayedMove[]> {
  const { disputeId: id, model, challenger, defender, claimed, own, insist } = parties;
  const moves: PlayedMove[] = [];
  const knowledge = { model: model.model, steps: model.steps, own };
  for (;;) {
    const view = await challenger.readDispute(id);
    if (view.phase === DisputePhase.Resolved) return moves;
    const byDefender = defenderMove(view, claimed, defender.calls);
    const planned =
      byDefender ??
      (insist ? insisted(view, own, model, challenger, insist) : challengerMove(view, knowledge, challenger.calls));
    if (!planned) return moves;
    const sent = await (byDefender ? defender : challenger).send(planned.call);
    moves.push({ move: planned.move, by: byDefender ? 'defender' : 'challenger', gasUsed: sent.gasUsed });
  }
}

/** The position in the current page of the node over leaf `target`. */
function towards(page: RevealedPage, target: number): number {
  return Math.floor(target / 2 ** page.height) - page.parentIndex * page.nodes.length;
}

/** A dishonest challenger's move: down to the given step, chunk and value, whatever it finds. */
function insisted(
  view: DisputeView,
  own: Trace,
  model: DisputeModel,
  challenger: DisputeClient,
  insist: NonNullable<DisputeParties['insist']>,
): PlannedMove | null {
  const calls = challenger.calls;
  if (view.phase === DisputePhase.AwaitTracePick) {
    const page = view.tracePages.at(-1)!;
    const position = towards(page, insist.step + 1);
    const step = { descriptor: model.steps.encoded[insist.step], proof: model.steps.proof(insist.step) };
    const call = calls.pickTraceNode(view.id, position, page.nodes[position], pageProof(page.nodes, position), step);
    return { move: 'pickTraceNode', call, detail: '' };
  }
  if (view.phase === DisputePhase.AwaitChunkPick) {
    const page = view.chunkPages.at(-1)!;
    const position = towards(page, insist.chunk);
    const call = calls.pickChunkNode(view.id, position, page.nodes[position], pageProof(page.nodes, position));
    return { move: 'pickChunkNode', call, detail: '' };
  }
  if (view.phase === DisputePhase.AwaitOneStep) {
    const element = view.chunkIndex * 16 + insist.offset;
    const witness = buildOneStepWitness(model.model, own.tensors, view.stepIndex, element);
    return { move: 'oneStep', call: calls.oneStep(view.id, insist.offset, view.chunkValues, witness), detail: '' };
  }
  return null;
}
