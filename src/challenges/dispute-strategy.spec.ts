import { zeroAddress, zeroHash, type Hex } from 'viem';
import {
  DisputePhase,
  DisputeSide,
  chunkLeaves,
  disputeCalls,
  type DisputeView,
} from '../chain/dispute-client';
import { traceFromTensors } from '../engine';
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
    phase: DisputePhase.AwaitTrace,
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
    tensorRoots: [],
    chunkLeaves: [],
    chunkValues: [],
    ...overrides,
  };
}

const knowledge = {
  model: undefined as never,
  steps: { encoded: ['0x01', '0x02'] as Hex[], proof: () => [] as Hex[] } as never,
  own: honest,
  committedOutput: lie.output,
};

describe('the dispute strategy', () => {
  it('has the defender reveal the committed trace, the picked chunk leaves and the picked values, and nothing on the other turn', () => {
    expect(defenderMove(view({}), lie, calls)?.call.args).toEqual([7n, lie.roots]);
    const chunks = defenderMove(view({ phase: DisputePhase.AwaitChunks }), lie, calls);
    expect(chunks?.call.args).toEqual([7n, chunkLeaves(lie.tensors[1])]);
    const values = defenderMove(view({ phase: DisputePhase.AwaitChunkValues, chunkIndex: 1 }), lie, calls);
    expect(values?.call.args[1]).toEqual([16n, 100n, 18n, 19n, ...Array<bigint>(12).fill(0n)]);
    expect(defenderMove(view({ turn: DisputeSide.Challenger }), lie, calls)).toBeNull();
  });

  it('has the honest challenger pick the first step, chunk and value that differ from its own trace', () => {
    const atStep = view({
      phase: DisputePhase.AwaitStep,
      turn: DisputeSide.Challenger,
      tensorRoots: lie.roots,
    });
    expect(challengerMove(atStep, knowledge, calls)).toMatchObject({
      move: 'pickStep',
      call: { args: [7n, 0n, '0x01', []] },
    });
    const atChunk = view({
      phase: DisputePhase.AwaitChunk,
      turn: DisputeSide.Challenger,
      chunkLeaves: chunkLeaves(lie.tensors[1]),
    });
    expect(challengerMove(atChunk, knowledge, calls)?.call.args).toEqual([7n, 1n]);
  });

  it('challenges the output when the revealed trace is honest but the committed output is not', () => {
    const atStep = view({
      phase: DisputePhase.AwaitStep,
      turn: DisputeSide.Challenger,
      tensorRoots: honest.roots,
    });
    expect(challengerMove(atStep, knowledge, calls)).toMatchObject({
      move: 'challengeOutput',
      call: { args: [7n, lie.output] },
    });
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
