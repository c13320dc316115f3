/**
 * Both parties' play, as pure functions of what the chain shows (a DisputeView) and the party's
 * own data: given the dispute now, the move to send, or none when it is not this party's turn.
 * Because each decision reads only the dispute's current state, a daemon that restarts, or polls
 * late, resumes exactly where the game is (docs/disputes.md, "Playing a dispute").
 *
 * - The defender answers from the trace its worker committed (the engine's trace of the input,
 *   when that is what the worker signed): revealTrace, revealChunks, revealChunkValues.
 * - The challenger plays the honest strategy: the first tensor root that differs from its own
 *   trace (challengeInput / challengeOutput at the boundaries, else pickStep), the first chunk leaf
 *   that differs, the first value that differs, then the executor's witness built from its trace.
 * - Either side claims the win when the side to move has used up its clock.
 */
import type { Hex } from 'viem';
import {
  DisputePhase,
  DisputeSide,
  chunkAt,
  chunkLeaves,
  disputeCalls,
  firstDifference,
  planChallenge,
  type DisputeCall,
  type DisputeView,
} from '../chain/dispute-client';
import { buildOneStepWitness, type StepsTree, type Trace, type QuantizedModel } from '../engine';

/** Values per chunk (DisputeGame.CHUNK_SIZE_VALUES). */
const CHUNK = 16;

export type Calls = ReturnType<typeof disputeCalls>;

export interface PlannedMove {
  /** The game function, e.g. `revealTrace`. */
  move: string;
  call: DisputeCall;
  /** Why, in words, for the progress log. */
  detail: string;
}

/** Whose move it is now, if anyone's, and whether that side's clock has run out. */
export function timeoutClaim(view: DisputeView, calls: Calls): PlannedMove | null {
  if (view.phase === DisputePhase.Resolved || view.turn === DisputeSide.None) return null;
  const remaining =
    view.turn === DisputeSide.Challenger ? view.challengerClockRemaining : view.defenderClockRemaining;
  if (remaining > 0n) return null;
  const side = view.turn === DisputeSide.Challenger ? 'challenger' : 'defender';
  return {
    move: 'claimTimeout',
    call: calls.claimTimeout(view.id),
    detail: `the ${side} used up its clock`,
  };
}

/** The defender's answer to the dispute as it stands, from the committed trace. */
export function defenderMove(view: DisputeView, claimed: Trace, calls: Calls): PlannedMove | null {
  if (view.turn !== DisputeSide.Defender) return null;
  switch (view.phase) {
    case DisputePhase.AwaitTrace:
      return {
        move: 'revealTrace',
        call: calls.revealTrace(view.id, claimed.roots),
        detail: `${claimed.roots.length} tensor roots`,
      };
    case DisputePhase.AwaitChunks: {
      const tensor = tensorAfterStep(claimed, view.stepIndex);
      return {
        move: 'revealChunks',
        call: calls.revealChunks(view.id, chunkLeaves(tensor)),
        detail: `step ${view.stepIndex}: ${Math.ceil(tensor.length / CHUNK)} chunk leaves`,
      };
    }
    case DisputePhase.AwaitChunkValues:
      return {
        move: 'revealChunkValues',
        call: calls.revealChunkValues(view.id, chunkAt(tensorAfterStep(claimed, view.stepIndex), view.chunkIndex)),
        detail: `step ${view.stepIndex}, chunk ${view.chunkIndex}`,
      };
    default:
      return null;
  }
}

/** What the challenger knows: the model (for step descriptors and witnesses), its own trace, the committed output. */
export interface ChallengerKnowledge {
  model: QuantizedModel;
  steps: StepsTree;
  /** The challenger's own (engine) trace of the committed input. */
  own: Trace;
  /** The output the leaf commits to (the preimage challengeOutput posts), when known. */
  committedOutput?: readonly bigint[];
}

/** The honest challenger's move in the dispute as it stands. */
export function challengerMove(view: DisputeView, knowledge: ChallengerKnowledge, calls: Calls): PlannedMove | null {
  if (view.turn !== DisputeSide.Challenger) return null;
  const { own } = knowledge;
  switch (view.phase) {
    case DisputePhase.AwaitStep: {
      const plan = planChallenge(
        own.roots,
        view.tensorRoots,
        own.outputCommitment.toLowerCase() === view.outputCommitment.toLowerCase(),
      );
      if (plan.kind === 'input') {
        return {
          move: 'challengeInput',
          call: calls.challengeInput(view.id, own.input),
          detail: 'the revealed tensor 0 is not the committed input',
        };
      }
      if (plan.kind === 'output') {
        if (!knowledge.committedOutput) return null;
        return {
          move: 'challengeOutput',
          call: calls.challengeOutput(view.id, knowledge.committedOutput),
          detail: 'the revealed last tensor is not the committed output',
        };
      }
      if (plan.kind === 'none') return null;
      const step = plan.stepIndex;
      return {
        move: 'pickStep',
        call: calls.pickStep(view.id, BigInt(step), knowledge.steps.encoded[step], knowledge.steps.proof(step)),
        detail: `step ${step} is the first whose output differs`,
      };
    }
    case DisputePhase.AwaitChunk: {
      const differing = firstDifference(chunkLeaves(tensorAfterStep(own, view.stepIndex)), view.chunkLeaves);
      const chunk = Math.max(differing, 0);
      return {
        move: 'pickChunk',
        call: calls.pickChunk(view.id, BigInt(chunk)),
        detail: `chunk ${chunk} of step ${view.stepIndex}'s output`,
      };
    }
    case DisputePhase.AwaitOneStep: {
      const ownChunk = chunkAt(tensorAfterStep(own, view.stepIndex), view.chunkIndex);
      const offset = Math.max(firstDifference(ownChunk, view.chunkValues), 0);
      const element = view.chunkIndex * CHUNK + offset;
      const witness: Hex = buildOneStepWitness(knowledge.model, own.tensors, view.stepIndex, element);
      return {
        move: 'oneStep',
        call: calls.oneStep(view.id, offset, witness),
        detail: `step ${view.stepIndex}, value ${element}`,
      };
    }
    default:
      return null;
  }
}

/** Whether a leaf's commitments disagree with the engine's trace of its input: a dispute is winnable. */
export function leafIsWrong(
  leaf: { outputCommitment: string; traceCommitment: string },
  own: Trace,
): boolean {
  return (
    leaf.outputCommitment.toLowerCase() !== own.outputCommitment.toLowerCase() ||
    leaf.traceCommitment.toLowerCase() !== own.traceCommitment.toLowerCase()
  );
}

function tensorAfterStep(trace: Trace, stepIndex: number): bigint[] {
  const tensor = trace.tensors[stepIndex + 1];
  if (!tensor) throw new RangeError(`the trace has no step ${stepIndex}`);
  return tensor;
}
