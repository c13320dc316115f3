/**
 * Both parties' play, as pure functions of what the chain shows (a DisputeView) and the party's
 * own data: given the dispute now, the move to send, or none when it is not this party's turn.
 * Because each decision reads only the dispute's current state (and the pages in the game's
 * events), a daemon that restarts, or polls late, resumes exactly where the game is
 * (docs/disputes.md, "The moves").
 *
 * - The defender answers from the trace its worker committed (the engine's trace of the input,
 *   when that is what the worker signed): the page under the current node of the trace tree, then
 *   of the picked step's output tensor tree, then the picked chunk's values.
 * - The challenger plays the honest strategy: in every page, the first node that differs from its
 *   own trace (word-tree.ts pickInPage), proving it against the current node; at a step's leaf
 *   the step's descriptor; in the chunk's values the first that differs, then the executor's
 *   witness, whose input roots it proves from its view of the defender's tree (PartialTree).
 * - Either side claims the win when the side to move has used up its clock.
 */
import type { Hex } from 'viem';
import {
  DISPUTE_PAGE_DEPTH,
  DisputePhase,
  DisputeSide,
  chunkAt,
  chunkLeaves,
  disputeCalls,
  firstDifference,
  type DisputeCall,
  type DisputeView,
  type RevealedPage,
} from '../chain/dispute-client';
import {
  buildOneStepWitness,
  PartialTree,
  WordTree,
  pageProof,
  pickInPage,
  type StepsTree,
  type Trace,
  type QuantizedModel,
} from '../engine';

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

/** Trees of a trace, cached per Trace object: the trace tree and each step output's chunk tree. */
const TRACE_TREES = new WeakMap<Trace, WordTree>();
const CHUNK_TREES = new WeakMap<Trace, Map<number, WordTree>>();

export function traceTreeOf(trace: Trace): WordTree {
  let tree = TRACE_TREES.get(trace);
  if (!tree) {
    tree = new WordTree(trace.roots);
    TRACE_TREES.set(trace, tree);
  }
  return tree;
}

/** The chunk tree of step `stepIndex`'s output (tensor stepIndex + 1). */
export function chunkTreeOf(trace: Trace, stepIndex: number): WordTree {
  let trees = CHUNK_TREES.get(trace);
  if (!trees) {
    trees = new Map();
    CHUNK_TREES.set(trace, trees);
  }
  let tree = trees.get(stepIndex);
  if (!tree) {
    tree = new WordTree(chunkLeaves(tensorAfterStep(trace, stepIndex)));
    trees.set(stepIndex, tree);
  }
  return tree;
}

/** Levels the next page spans below the current node. */
const pageLevels = (view: DisputeView) => Math.min(DISPUTE_PAGE_DEPTH, view.nodeHeight);

/** The page under the current node of `tree`. */
function pageUnder(view: DisputeView, tree: WordTree): Hex[] {
  const k = pageLevels(view);
  return tree.page(view.nodeHeight - k, Number(view.nodeIndex), k);
}

/** The defender's answer to the dispute as it stands, from the committed trace. */
export function defenderMove(view: DisputeView, claimed: Trace, calls: Calls): PlannedMove | null {
  if (view.turn !== DisputeSide.Defender) return null;
  switch (view.phase) {
    case DisputePhase.AwaitTracePage: {
      const nodes = pageUnder(view, traceTreeOf(claimed));
      return {
        move: 'revealTracePage',
        call: calls.revealTracePage(view.id, nodes),
        detail: `${nodes.length} trace nodes under (${view.nodeHeight}, ${view.nodeIndex})`,
      };
    }
    case DisputePhase.AwaitChunkPage: {
      const nodes = pageUnder(view, chunkTreeOf(claimed, view.stepIndex));
      return {
        move: 'revealChunkPage',
        call: calls.revealChunkPage(view.id, nodes),
        detail: `step ${view.stepIndex}: ${nodes.length} chunk nodes under (${view.nodeHeight}, ${view.nodeIndex})`,
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

/** What the challenger knows: the model (for step descriptors and witnesses) and its own trace. */
export interface ChallengerKnowledge {
  model: QuantizedModel;
  steps: StepsTree;
  /** The challenger's own (engine) trace of the committed input. */
  own: Trace;
}

/** The last page revealed under the current node, or null when the events do not show it yet. */
function currentPage(view: DisputeView, pages: readonly RevealedPage[]): RevealedPage | null {
  const k = pageLevels(view);
  const page = pages.at(-1);
  if (!page || page.height !== view.nodeHeight - k || page.parentIndex !== Number(view.nodeIndex)) return null;
  return page;
}

/** The honest challenger's move in the dispute as it stands. */
export function challengerMove(view: DisputeView, knowledge: ChallengerKnowledge, calls: Calls): PlannedMove | null {
  if (view.turn !== DisputeSide.Challenger) return null;
  const { own } = knowledge;
  switch (view.phase) {
    case DisputePhase.AwaitTracePick: {
      const page = currentPage(view, view.tracePages);
      if (!page) return null;
      const position = pickInPage(traceTreeOf(own), page.height, page.parentIndex, page.nodes);
      const leaf = page.parentIndex * page.nodes.length + position;
      const step =
        page.height === 0 && leaf > 0
          ? { descriptor: knowledge.steps.encoded[leaf - 1], proof: knowledge.steps.proof(leaf - 1) }
          : undefined;
      const node = page.nodes[position];
      return {
        move: 'pickTraceNode',
        call: calls.pickTraceNode(view.id, position, node, pageProof(page.nodes, position), step),
        detail:
          page.height === 0
            ? `trace leaf ${leaf} (${leaf === 0 ? 'the input' : `step ${leaf - 1}'s output`})`
            : `trace node (${page.height}, ${leaf})`,
      };
    }
    case DisputePhase.AwaitChunkPick: {
      const page = currentPage(view, view.chunkPages);
      if (!page) return null;
      const position = pickInPage(chunkTreeOf(own, view.stepIndex), page.height, page.parentIndex, page.nodes);
      return {
        move: 'pickChunkNode',
        call: calls.pickChunkNode(view.id, position, page.nodes[position], pageProof(page.nodes, position)),
        detail: `step ${view.stepIndex}: chunk node (${page.height}, ${page.parentIndex * page.nodes.length + position})`,
      };
    }
    case DisputePhase.AwaitOneStep: {
      if (view.chunkValues.length === 0) return null;
      const ownChunk = chunkAt(tensorAfterStep(own, view.stepIndex), view.chunkIndex);
      const offset = Math.max(firstDifference(ownChunk, view.chunkValues), 0);
      const element = view.chunkIndex * CHUNK + offset;
      const defenderTree = new PartialTree(traceTreeOf(own));
      for (const page of view.tracePages) defenderTree.addPage(page.height, page.parentIndex, page.nodes);
      const witness: Hex = buildOneStepWitness(knowledge.model, own.tensors, view.stepIndex, element, defenderTree);
      return {
        move: 'oneStep',
        call: calls.oneStep(view.id, offset, view.chunkValues, witness),
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
