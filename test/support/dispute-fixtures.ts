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
  chunkAt,
  chunkLeaves,
  firstDifference,
  planChallenge,
  type DisputeClient,
  type ModelParts,
  type SentMove,
} from '../../src/chain/dispute-client';
import type { ResultLeaf } from '../../src/chain/result-merkle';
import { commitModel, type ModelCommitment } from '../../src/engine/commitment/model-commitment';
import { buildOneStepWitness } from '../../src/engine/commitment/one-step-witness';
import { stepsTree, type StepsTree } from '../../src/engine/commitment/step-descriptor';
import {
  commitTensor,
  traceCommitmentFromRoots,
  traceTensorRoots,
} from '../../src/engine/commitment/tensor-commitment';
import { evaluateFixed } from '../../src/engine/evaluator/evaluator';
import { runKernel, type KernelContext } from '../../src/engine/evaluator/evaluator-kernels';
import { quantizeInput } from '../../src/engine/evaluator/input-quantize';
import { prepareModel } from '../../src/engine/evaluator/prepared-model';
import { parseInputs } from '../../src/engine/io/input-json';
import { loadMnistHoldout, mnistFixtureDir } from '../../src/engine/mnist/mnist-data';
import { importOnnx } from '../../src/engine/onnx/onnx-import';
import { quantize } from '../../src/engine/quantize/quantize';
import type { QuantizedModel } from '../../src/engine/quantize/quantized-model.types';

export type DisputeModelName = 'mnist-mlp' | '3l_relu_conv_fc';

/** A quantized model with its v2 commitment, its model parts (the game's `open` argument) and steps tree. */
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

/** A trace (tensor 0 the quantized input, tensor i + 1 step i's output) with its v2 commitments. */
export interface Trace {
  tensors: bigint[][];
  roots: Hex[];
  traceCommitment: Hex;
  input: bigint[];
  output: bigint[];
  inputCommitment: Hex;
  outputCommitment: Hex;
}

function traceFrom(tensors: readonly Float64Array<ArrayBufferLike>[]): Trace {
  const asBigInt = tensors.map((t) => Array.from(t, (v) => BigInt(v)));
  const roots = traceTensorRoots(tensors[0], tensors.slice(1));
  const input = asBigInt[0];
  const output = asBigInt[asBigInt.length - 1];
  return {
    tensors: asBigInt,
    roots,
    traceCommitment: traceCommitmentFromRoots(roots),
    input,
    output,
    inputCommitment: commitTensor(input),
    outputCommitment: commitTensor(output),
  };
}

/** The engine's (honest) trace of a real input. */
export function honestTrace(model: QuantizedModel, input: readonly number[]): Trace {
  const fixed = quantizeInput(model, input);
  return traceFrom([fixed, ...evaluateFixed(model, fixed).trace.map((t) => t.values)]);
}

export interface Tampering {
  /** The step whose output is changed. */
  step: number;
  /** The flat index of the changed value in that output. */
  element: number;
  /** Added to the value (default 1). */
  delta?: number;
  /** Recompute every later step from the changed tensor with the engine's kernels (else keep them). */
  recompute: boolean;
}

/**
 * A dishonest worker's trace: value `element` of step `step`'s output moved by `delta`; later
 * tensors either recomputed from it (a consistent lie: the output changes too, unless a later
 * step masks it) or kept (an inconsistent trace whose output is the honest one). Both are wrong
 * traces the challenger must win against.
 */
export function tamperedTrace(model: QuantizedModel, honest: Trace, tampering: Tampering): Trace {
  const tensors = honest.tensors.map((t) => Float64Array.from(t, (v) => Number(v)));
  const changed = tensors[tampering.step + 1];
  if (tampering.element >= changed.length)
    throw new RangeError(`step ${tampering.step} has ${changed.length} values, not ${tampering.element + 1}`);
  changed[tampering.element] += tampering.delta ?? 1;
  if (tampering.recompute) {
    const prepared = prepareModel(model);
    const ctx: KernelContext = {
      fractionBits: model.fractionBits,
      half: 2 ** (model.fractionBits - 1),
      inverseScale: 2 ** -model.fractionBits,
    };
    for (let i = tampering.step + 1; i < prepared.steps.length; i++) {
      const p = prepared.steps[i];
      tensors[i + 1] = Float64Array.from(
        runKernel(
          p,
          p.step.inputs.map((t) => tensors[t]),
          ctx,
        ),
      );
    }
  }
  return traceFrom(tensors);
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
 * Plays a dispute from revealTrace to its decision: the defender answers from the claimed trace,
 * the challenger follows the honest strategy (docs/disputes.md): the first differing tensor root,
 * the first differing chunk leaf, the first differing value, then the executor's witness built
 * from its own trace. Returns every move with its gas.
 */
export async function playDispute(parties: DisputeParties): Promise<PlayedMove[]> {
  const { disputeId: id, model, challenger, defender, claimed, own } = parties;
  const moves: PlayedMove[] = [];
  const record = (move: string, by: PlayedMove['by'], sent: SentMove) =>
    moves.push({ move, by, gasUsed: sent.gasUsed });

  record('revealTrace', 'defender', await defender.revealTrace(id, claimed.roots));
  const revealed = (await challenger.readDispute(id)).tensorRoots;
  const plan = planChallenge(own.roots, revealed, own.outputCommitment === claimed.outputCommitment);
  if (plan.kind === 'input') {
    record('challengeInput', 'challenger', await challenger.challengeInput(id, own.input));
    return moves;
  }
  if (plan.kind === 'output') {
    record('challengeOutput', 'challenger', await challenger.challengeOutput(id, claimed.output));
    return moves;
  }
  if (plan.kind === 'none' && !parties.insist) return moves;
  const step = plan.kind === 'step' ? plan.stepIndex : parties.insist!.step;

  record(
    'pickStep',
    'challenger',
    await challenger.pickStep(id, BigInt(step), model.steps.encoded[step], model.steps.proof(step)),
  );
  const picked = (await defender.readDispute(id)).stepIndex;
  record(
    'revealChunks',
    'defender',
    await defender.revealChunks(id, chunkLeaves(claimed.tensors[picked + 1])),
  );

  const theirLeaves = (await challenger.readDispute(id)).chunkLeaves;
  const differingChunk = firstDifference(chunkLeaves(own.tensors[step + 1]), theirLeaves);
  const chunk = differingChunk >= 0 ? differingChunk : parties.insist!.chunk;
  record('pickChunk', 'challenger', await challenger.pickChunk(id, BigInt(chunk)));
  const pickedChunk = (await defender.readDispute(id)).chunkIndex;
  record(
    'revealChunkValues',
    'defender',
    await defender.revealChunkValues(id, chunkAt(claimed.tensors[picked + 1], pickedChunk)),
  );

  const theirValues = (await challenger.readDispute(id)).chunkValues;
  const differingOffset = firstDifference(chunkAt(own.tensors[step + 1], chunk), theirValues);
  const offset = differingOffset >= 0 ? differingOffset : parties.insist!.offset;
  const witness = buildOneStepWitness(model.model, own.tensors, step, chunk * 16 + offset);
  record('oneStep', 'challenger', await challenger.oneStep(id, offset, witness));
  return moves;
}
