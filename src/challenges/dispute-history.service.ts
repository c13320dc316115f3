import { Inject, Injectable } from '@nestjs/common';
import {
  formatLog,
  pad,
  parseEventLogs,
  toEventSelector,
  toHex,
  type AbiEvent,
  type RpcLog,
} from 'viem';
import { DisputeSide } from '../chain/dispute-client';
import { DisputeGameAbi } from '../chain/generated/contracts';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { ChallengesError } from './challenges.errors';
import { isDisputeMoveEvent, toDisputeClocks, toDisputeMove } from './dispute-moves';
import type { DisputeClocks, DisputeMove } from './dto/dispute-history.model';

const MOVE_EVENT_ABI = DisputeGameAbi.filter(
  (item): item is Extract<(typeof DisputeGameAbi)[number], { type: 'event' }> =>
    item.type === 'event' && isDisputeMoveEvent(item.name),
);
const MOVE_EVENT_TOPICS = MOVE_EVENT_ABI.map((event) => toEventSelector(event as AbiEvent));

/**
 * Reads a dispute's moves and clocks from DisputeGame for the API (the `disputes` table keeps only
 * the service's last move): one eth_getLogs over the dispute's own events (its id is their first
 * topic) from the block it was opened in, and the game's views at the latest block.
 */
@Injectable()
export class DisputeHistoryService {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  private get game() {
    return this.runtime.deployment.contracts.DisputeGame;
  }

  /** Every move of dispute `disputeId`, oldest first. */
  async moves(disputeId: string, openedBlock: string): Promise<DisputeMove[]> {
    const { publicClient } = this.runtime.chain;
    try {
      const raw: RpcLog[] = await publicClient.request({
        method: 'eth_getLogs',
        params: [
          {
            address: this.game,
            topics: [MOVE_EVENT_TOPICS, pad(toHex(BigInt(disputeId)), { size: 32 })],
            fromBlock: toHex(BigInt(openedBlock)),
            toBlock: 'latest',
          },
        ],
      });
      const logs = parseEventLogs({
        abi: MOVE_EVENT_ABI,
        logs: raw.map((log) => formatLog(log)),
        strict: true,
      });
      const times = new Map<bigint, Date>();
      for (const blockNumber of new Set(logs.map((log) => log.blockNumber))) {
        const block = await publicClient.getBlock({ blockNumber });
        times.set(blockNumber, new Date(Number(block.timestamp) * 1000));
      }
      return logs.flatMap(({ eventName, ...log }) =>
        !isDisputeMoveEvent(eventName)
          ? []
          : toDisputeMove({
              eventName,
              args: log.args,
              blockNumber: log.blockNumber,
              transactionHash: log.transactionHash,
              at: times.get(log.blockNumber)!,
            }),
      );
    } catch (cause) {
      throw new ChallengesError(
        'DISPUTE_READ_FAILED',
        `could not read the moves of dispute ${disputeId}`,
        { disputeId },
        { cause },
      );
    }
  }

  /** Both clocks of dispute `disputeId` at the latest block. */
  async clocks(disputeId: string): Promise<DisputeClocks> {
    const { publicClient } = this.runtime.chain;
    const id = BigInt(disputeId);
    try {
      const block = await publicClient.getBlock({ blockTag: 'latest' });
      const at = { address: this.game, abi: DisputeGameAbi, blockNumber: block.number } as const;
      const [stored, turn, challengerRemaining, defenderRemaining] = await Promise.all([
        publicClient.readContract({ ...at, functionName: 'disputeOf', args: [id] }),
        publicClient.readContract({ ...at, functionName: 'turnOf', args: [id] }),
        publicClient.readContract({
          ...at,
          functionName: 'clockRemaining',
          args: [id, DisputeSide.Challenger],
        }),
        publicClient.readContract({
          ...at,
          functionName: 'clockRemaining',
          args: [id, DisputeSide.Defender],
        }),
      ]);
      return toDisputeClocks({
        turn,
        turnStartedAt: stored.turnStartedAt,
        challengerClockUsed: stored.challengerClockUsed,
        defenderClockUsed: stored.defenderClockUsed,
        challengerRemaining,
        defenderRemaining,
        blockTime: block.timestamp,
      });
    } catch (cause) {
      throw new ChallengesError(
        'DISPUTE_READ_FAILED',
        `could not read the clocks of dispute ${disputeId}`,
        { disputeId },
        { cause },
      );
    }
  }
}
