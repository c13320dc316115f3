import { zeroAddress, zeroHash, type Hex } from 'viem';
import {
  DisputePhase,
  DisputeSide,
  chunkLeaves,
  disputeCalls,
  type DisputeView,
} from '../chain/dispute-client';
import { pageProof, traceFromTensors } from '../engine';
import { challengerMove, defenderMove, leafIsWrong, timeoutClaim } from './dispute-strategy';

const GAME = '0x00000000000000000000000000000000000000aa';
const calls = disputeCalls(GAME);
const honest = traceFromTensors([[1, 2, 3], Array.from({ length: 20 }, (_, i) => i), [7, 8]]);
const lie = traceFromTensors([[1, 2, 3], Array.from({ length: 20 }, (_, i) => (i === 17 ? 100 : i)), [7, 9]]);

function view(overrides: Partial<DisputeView>): DisputeView {
  return {
    id: 7n,
    challenger: zeroAddress,
    worker: zeroAddress,
    phase: DisputePhase.AwaitTracePage,
    outcome: 0,
    reason: 0,
    turn: DisputeSide.Defender,
    batchId: 1n,
    leafHash: zeroHash,
    requestId: zeroHash,
    stepCount: 2,
    stepIndex: 0,
    outputLength: 0n,
    chunkCount: 0,
    chunkIndex: 0,
    turnStartedAt: 0n,
    challengerClockUsed: 0n,
    defenderClockUsed: 0n,
    challengerClockRemaining: 100n,
    defenderClockRemaining: 100n,
    stepsRoot: zeroHash,
    parametersRoot: zeroHash,
    inputCommitment: honest.inputCommitment,
    outputCommitment: lie.outputCommitment,
    traceCommitment: lie.traceCommitment,
    node: zeroHash,
    nodeHeight: 0,
    nodeIndex: 0n,
    tracePages: [],
    chunkPages: [],
    chunkValues: [],
    ...overrides,
  };
}

const knowledge = {
  model: undefined as never,
  steps: { encoded: ['0x01', '0x02'] as Hex[], proof: () => [] as Hex[] } as never,
  own: honest,
};

describe('the dispute strategy', () => {
  // 3 tensors: a trace tree of depth 2 (one page of 4, the last a padding leaf); step 0's output
  // has 20 values: 2 chunks, a chunk tree of depth 1; the lie changes value 17 (chunk 1, offset 1).
  it('has the defender reveal the page under the current node, of the trace then of the step output, then the values', () => {
    const tracePage = defenderMove(view({ nodeHeight: 2 }), lie, calls);
    expect(tracePage?.call.args).toEqual([7n, [...lie.roots, zeroHash]]);
    const chunkPage = defenderMove(view({ phase: DisputePhase.AwaitChunkPage, nodeHeight: 1 }), lie, calls);
    expect(chunkPage?.call.args).toEqual([7n, chunkLeaves(lie.tensors[1])]);
    const values = defenderMove(view({ phase: DisputePhase.AwaitChunkValues, chunkIndex: 1 }), lie, calls);
    expect(values?.call.args).toEqual([7n, [16n, 100n, 18n, 19n, ...new Array(12).fill(0n)]]);
    expect(defenderMove(view({ turn: DisputeSide.Challenger }), lie, calls)).toBeNull();
  });

  it('has the challenger pick the first differing node with its proof and the step descriptor at a step leaf', () => {
    const page = { height: 0, parentIndex: 0, nodes: [...lie.roots, zeroHash] };
    const pick = challengerMove(
      view({ phase: DisputePhase.AwaitTracePick, turn: DisputeSide.Challenger, nodeHeight: 2, tracePages: [page] }),
      knowledge,
      calls,
    );
    expect(pick?.move).toBe('pickTraceNode');
    expect(pick?.call.args).toEqual([7n, 1n, lie.roots[1], pageProof(page.nodes, 1), '0x01', []]);
    // no page for the current node yet (events lag): no move
    expect(
      challengerMove(view({ phase: DisputePhase.AwaitTracePick, turn: DisputeSide.Challenger, nodeHeight: 2 }), knowledge, calls),
    ).toBeNull();
    const chunkPage = { height: 0, parentIndex: 0, nodes: chunkLeaves(lie.tensors[1]) };
    const chunkPick = challengerMove(
      view({ phase: DisputePhase.AwaitChunkPick, turn: DisputeSide.Challenger, nodeHeight: 1, chunkPages: [chunkPage] }),
      knowledge,
      calls,
    );
    expect(chunkPick?.call.args).toEqual([7n, 1n, chunkPage.nodes[1], pageProof(chunkPage.nodes, 1)]);
  });

  it('goes to the last leaf when the defender’s whole trace is the honest one (the lie is in the output commitment)', () => {
    const page = { height: 0, parentIndex: 0, nodes: [...honest.roots, zeroHash] };
    const pick = challengerMove(
      view({ phase: DisputePhase.AwaitTracePick, turn: DisputeSide.Challenger, nodeHeight: 2, tracePages: [page] }),
      knowledge,
      calls,
    );
    expect(pick?.call.args.slice(0, 3)).toEqual([7n, 2n, honest.roots[2]]);
  });

  it('claims the win only once the side to move has used up its clock', () => {
    expect(timeoutClaim(view({ defenderClockRemaining: 1n }), calls)).toBeNull();
    expect(timeoutClaim(view({ defenderClockRemaining: 0n }), calls)?.move).toBe('claimTimeout');
    expect(
      timeoutClaim(
        view({ phase: DisputePhase.Resolved, turn: DisputeSide.None, defenderClockRemaining: 0n }),
        calls,
      ),
    ).toBeNull();
  });

  it('calls a leaf wrong when its output or its trace differs from the engine’s', () => {
    expect(leafIsWrong(honest, honest)).toBe(false);
    expect(
      leafIsWrong(
        { outputCommitment: honest.outputCommitment, traceCommitment: lie.traceCommitment },
        honest,
      ),
    ).toBe(true);
    expect(leafIsWrong(lie, honest)).toBe(true);
  });
});
