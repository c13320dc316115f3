import { parseEther, type Hex } from 'viem';
import { DisputeSide } from '../chain/dispute-client';
import { toDisputeClocks, toDisputeMove, type DisputeEventLog } from './dispute-moves';

const CHALLENGER = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65';
const WORKER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TX: Hex = `0x${'ab'.repeat(32)}`;
const AT = new Date('2026-01-02T03:04:05Z');

const log = (eventName: DisputeEventLog['eventName'], args: Record<string, unknown>): DisputeEventLog => ({
  eventName,
  args: { disputeId: 7n, ...args },
  blockNumber: 42n,
  transactionHash: TX,
  at: AT,
});

describe('toDisputeMove', () => {
  it('names the challenger and its bond for the opening', () => {
    expect(
      toDisputeMove(
        log('DisputeOpened', { challenger: CHALLENGER, worker: WORKER, bond: parseEther('0.1') }),
      ),
    ).toEqual({
      name: 'DisputeOpened',
      side: 'CHALLENGER',
      by: CHALLENGER,
      blockNumber: '42',
      txHash: TX,
      at: AT,
      detail: 'opened with a bond of 0.1 ETH',
    });
  });

  it('gives each move to its side, with the revealer of a page', () => {
    const nodes = [`0x${'11'.repeat(32)}`, `0x${'22'.repeat(32)}`];
    const moves = [
      log('TracePageRevealed', { by: WORKER, height: 3n, parentIndex: 0n, nodes }),
      log('TraceNodePicked', { height: 2n, index: 1n, node: nodes[1] }),
      log('StepPicked', { stepIndex: 4n, outputLength: 20n, chunkCount: 2n }),
      log('ChunkPageRevealed', { by: WORKER, height: 1n, parentIndex: 0n, nodes }),
      log('ChunkNodePicked', { height: 0n, index: 1n, node: nodes[0] }),
      log('ChunkValuesRevealed', { by: WORKER, chunkIndex: 1n, values: Array(16).fill(0n) }),
      log('OneStepExecuted', { element: 17n, claimed: -5n, computed: -5n }),
    ].map(toDisputeMove);
    expect(moves.map((move) => [move.side, move.by, move.detail])).toEqual([
      ['DEFENDER', WORKER, 'trace page: 2 nodes at height 3 under node 0'],
      ['CHALLENGER', null, 'picked trace node 1 at height 2'],
      ['CHALLENGER', null, 'picked step 4 (20 outputs in 2 chunks)'],
      ['DEFENDER', WORKER, 'chunk page: 2 nodes at height 1 under node 0'],
      ['CHALLENGER', null, 'picked chunk node 1 at height 0'],
      ['DEFENDER', WORKER, 'revealed the 16 values of chunk 1'],
      ['CHALLENGER', null, 'one step on element 17: claimed -5, recomputed -5'],
    ]);
  });

  it('says which boundary a challenge was on', () => {
    const claimed = `0x${'01'.repeat(32)}`;
    const committed = `0x${'02'.repeat(32)}`;
    expect(
      toDisputeMove(
        log('BoundaryChallenged', { isOutput: true, claimedRoot: claimed, committedRoot: committed }),
      ).detail,
    ).toBe(`challenged the output boundary: revealed ${claimed}, committed ${committed}`);
  });

  it('reports the outcome with its reason, and who is paid the bond', () => {
    expect(toDisputeMove(log('DisputeResolved', { defenderWon: false, reason: 3 }))).toMatchObject({
      side: null,
      detail: 'challenger won (ONE_STEP)',
    });
    expect(toDisputeMove(log('DisputeResolved', { defenderWon: true, reason: 4 })).detail).toBe(
      'defender won (TIMEOUT)',
    );
    expect(toDisputeMove(log('BondCredited', { to: WORKER, amount: parseEther('0.1') }))).toMatchObject({
      side: null,
      by: WORKER,
      detail: '0.1 ETH credited',
    });
  });
});

describe('toDisputeClocks', () => {
  const stored = {
    turnStartedAt: 1_000n,
    challengerClockUsed: 30n,
    defenderClockUsed: 12n,
    challengerRemaining: 250n,
    defenderRemaining: 288n,
    blockTime: 1_020n,
  };

  it('names the side to move and when its turn began', () => {
    expect(toDisputeClocks({ ...stored, turn: DisputeSide.Challenger })).toEqual({
      turn: 'CHALLENGER',
      turnStartedAt: new Date(1_000_000),
      challengerUsedSeconds: 30,
      defenderUsedSeconds: 12,
      challengerRemainingSeconds: 250,
      defenderRemainingSeconds: 288,
      asOf: new Date(1_020_000),
    });
  });

  it('has no turn once the dispute is decided', () => {
    expect(toDisputeClocks({ ...stored, turn: DisputeSide.None })).toMatchObject({
      turn: null,
      turnStartedAt: null,
    });
  });
});
