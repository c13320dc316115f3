/**
 * A dispute's moves and clocks as the API shows them, from DisputeGame's events and its stored
 * dispute. Pure: the chain reads are in dispute-history.service.ts.
 */
import { formatEther, type Hex } from 'viem';
import { DisputeSide } from '../chain/dispute-client';
import { reasonName } from './dispute-row';
import { DisputeSideEnum, type DisputeClocks, type DisputeMove } from './dto/dispute-history.model';

/** The events that record a dispute's moves and outcome, each with the dispute id as its first topic. */
export const DISPUTE_MOVE_EVENTS = [
  'DisputeOpened',
  'TracePageRevealed',
  'TraceNodePicked',
  'BoundaryChallenged',
  'StepPicked',
  'ChunkPageRevealed',
  'ChunkNodePicked',
  'ChunkValuesRevealed',
  'OneStepExecuted',
  'DisputeResolved',
  'BondCredited',
] as const;

export type DisputeMoveEvent = (typeof DISPUTE_MOVE_EVENTS)[number];

export function isDisputeMoveEvent(name: string): name is DisputeMoveEvent {
  return (DISPUTE_MOVE_EVENTS as readonly string[]).includes(name);
}

/** A decoded event of one of DISPUTE_MOVE_EVENTS (viem's parseEventLogs), with its block's time. */
export interface DisputeEventLog {
  eventName: DisputeMoveEvent;
  args: Record<string, unknown>;
  blockNumber: bigint;
  transactionHash: Hex;
  at: Date;
}

const num = (value: unknown) => String(value);

/** Who moves in each event, and what it did in words. */
function describe(log: DisputeEventLog): Pick<DisputeMove, 'side' | 'by' | 'detail'> {
  const a = log.args;
  const page = (tree: string) =>
    `${tree} page: ${(a.nodes as readonly Hex[]).length} nodes at height ${num(a.height)} under node ${num(a.parentIndex)}`;
  switch (log.eventName) {
    case 'DisputeOpened':
      return {
        side: DisputeSideEnum.CHALLENGER,
        by: a.challenger as string,
        detail: `opened with a bond of ${formatEther(a.bond as bigint)} ETH`,
      };
    case 'TracePageRevealed':
      return { side: DisputeSideEnum.DEFENDER, by: a.by as string, detail: page('trace') };
    case 'TraceNodePicked':
      return {
        side: DisputeSideEnum.CHALLENGER,
        by: null,
        detail: `picked trace node ${num(a.index)} at height ${num(a.height)}`,
      };
    case 'BoundaryChallenged':
      return {
        side: DisputeSideEnum.CHALLENGER,
        by: null,
        detail: `challenged the ${a.isOutput ? 'output' : 'input'} boundary: revealed ${a.claimedRoot as string}, committed ${a.committedRoot as string}`,
      };
    case 'StepPicked':
      return {
        side: DisputeSideEnum.CHALLENGER,
        by: null,
        detail: `picked step ${num(a.stepIndex)} (${num(a.outputLength)} outputs in ${num(a.chunkCount)} chunks)`,
      };
    case 'ChunkPageRevealed':
      return { side: DisputeSideEnum.DEFENDER, by: a.by as string, detail: page('chunk') };
    case 'ChunkNodePicked':
      return {
        side: DisputeSideEnum.CHALLENGER,
        by: null,
        detail: `picked chunk node ${num(a.index)} at height ${num(a.height)}`,
      };
    case 'ChunkValuesRevealed':
      return {
        side: DisputeSideEnum.DEFENDER,
        by: a.by as string,
        detail: `revealed the 16 values of chunk ${num(a.chunkIndex)}`,
      };
    case 'OneStepExecuted':
      return {
        side: DisputeSideEnum.CHALLENGER,
        by: null,
        detail: `one step on element ${num(a.element)}: claimed ${num(a.claimed)}, recomputed ${num(a.computed)}`,
      };
    case 'DisputeResolved': {
      const reason = reasonName(Number(a.reason)) ?? 'no reason';
      return { side: null, by: null, detail: `${a.defenderWon ? 'defender' : 'challenger'} won (${reason})` };
    }
    case 'BondCredited':
      return { side: null, by: a.to as string, detail: `${formatEther(a.amount as bigint)} ETH credited` };
  }
}

/** One event as a move of the API. */
export function toDisputeMove(log: DisputeEventLog): DisputeMove {
  return {
    name: log.eventName,
    ...describe(log),
    blockNumber: log.blockNumber.toString(),
    txHash: log.transactionHash,
    at: log.at,
  };
}

/** DisputeGame's stored clocks, its turn and what it says is left of each clock at a block. */
export interface StoredClocks {
  turn: number;
  turnStartedAt: bigint;
  challengerClockUsed: bigint;
  defenderClockUsed: bigint;
  challengerRemaining: bigint;
  defenderRemaining: bigint;
  blockTime: bigint;
}

const SIDE_NAMES: Record<number, DisputeSideEnum | null> = {
  [DisputeSide.None]: null,
  [DisputeSide.Challenger]: DisputeSideEnum.CHALLENGER,
  [DisputeSide.Defender]: DisputeSideEnum.DEFENDER,
};

const atSeconds = (seconds: bigint) => new Date(Number(seconds) * 1000);

/** The clocks of the API from what the game stores. */
export function toDisputeClocks(stored: StoredClocks): DisputeClocks {
  const turn = SIDE_NAMES[stored.turn] ?? null;
  return {
    turn,
    turnStartedAt: turn === null ? null : atSeconds(stored.turnStartedAt),
    challengerUsedSeconds: Number(stored.challengerClockUsed),
    defenderUsedSeconds: Number(stored.defenderClockUsed),
    challengerRemainingSeconds: Number(stored.challengerRemaining),
    defenderRemainingSeconds: Number(stored.defenderRemaining),
    asOf: atSeconds(stored.blockTime),
  };
}
