import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { getAddress, type GetContractEventsReturnType } from 'viem';
import { DisputeGameAbi } from '../chain/generated/contracts';
import { InferenceEvents } from '../inference/inference-events';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from '../settlement/settlement.options';
import { scanLogs } from '../chain-cursors/scan-logs';
import type { Sql } from '../database/sql';
import { DISPUTE_CURSOR_NAME } from './challenges.constants';
import { DisputeOutcomes } from './dispute-outcomes';
import { OPENED_PHASE } from './dispute-row';
import { loadInferenceLeafByRequest, sameHash } from './inference-leaf';

type OpenedLog = GetContractEventsReturnType<
  typeof DisputeGameAbi,
  'DisputeOpened',
  true,
  bigint,
  bigint
>[number];

/** What recording one DisputeOpened did. */
interface Recorded {
  disputeId: string;
  /** The inference moved to DISPUTED, if any. */
  heldInferenceId: string | null;
}

/**
 * Turns DisputeGame's DisputeOpened events on our result leaves into `disputes` rows, for the
 * defender to answer. Polls the logs from the cursor in chain_cursors up to the latest block, in
 * chunks; each chunk's rows, the inferences it puts under dispute (DISPUTED) and the cursor move in
 * one transaction, and a dispute already stored is skipped (ON CONFLICT), so a crash at any point
 * neither loses nor duplicates a dispute.
 *
 * A dispute is ours when its request is one of our inferences and its leaf is the leaf that
 * inference holds now (then the inference is DISPUTED) or one it held before a dispute refuted it
 * (discarded_results: recorded, the row is left alone). Disputes on other leaves are ignored.
 */
@Injectable()
export class DisputeWatcher {
  private readonly log = new Logger(DisputeWatcher.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementOptions,
    private readonly outcomes: DisputeOutcomes,
    private readonly events: InferenceEvents,
  ) {}

  /** Scans from the cursor to the chain head; returns the DisputeGame ids of the disputes it recorded. */
  async runOnce(): Promise<string[]> {
    const { publicClient } = this.runtime.chain;
    const recorded = await scanLogs(this.dataSource, {
      cursorName: DISPUTE_CURSOR_NAME,
      label: 'dispute',
      chunkBlocks: this.options.requestLogChunkBlocks,
      head: () => publicClient.getBlockNumber({ cacheTime: 0 }),
      logs: async (fromBlock, toBlock) => {
        const logs = await publicClient.getContractEvents({
          address: this.runtime.deployment.contracts.DisputeGame,
          abi: DisputeGameAbi,
          eventName: 'DisputeOpened',
          fromBlock,
          toBlock,
          strict: true,
        });
        const openedAt = await this.blockTimes(logs);
        return logs.map((log) => ({ log, openedAt: openedAt.get(log.blockNumber)! }));
      },
      apply: async (sql, logs) => {
        const done: Recorded[] = [];
        for (const { log, openedAt } of logs) {
          const one = await this.record(sql, log, openedAt);
          if (one) done.push(one);
        }
        return done;
      },
      committed: async (chunk) => {
        const held = chunk.flatMap((one) => (one.heldInferenceId ? [one.heldInferenceId] : []));
        if (held.length > 0) await this.events.changed(held);
      },
      warn: (message) => this.log.warn(message),
    });
    return recorded.map((one) => one.disputeId);
  }

  /** The timestamp of each block holding one of `logs`. */
  private async blockTimes(logs: readonly OpenedLog[]): Promise<Map<bigint, number>> {
    const times = new Map<bigint, number>();
    for (const blockNumber of new Set(logs.map((log) => log.blockNumber))) {
      const block = await this.runtime.chain.publicClient.getBlock({ blockNumber });
      times.set(blockNumber, Number(block.timestamp));
    }
    return times;
  }

  private async record(sql: Sql, log: OpenedLog, openedAt: number): Promise<Recorded | null> {
    const { args } = log;
    const row = await loadInferenceLeafByRequest(sql, args.requestId);
    if (!row) return null;
    const current = sameHash(row.leafHash, args.leafHash);
    if (!current) {
      const [discarded] = await sql(
        'SELECT 1 FROM discarded_results WHERE inference_id = $1 AND leaf_hash = $2',
        [row.id, args.leafHash.toLowerCase()],
      );
      if (!discarded) {
        this.log.warn(
          `dispute ${args.disputeId} names request ${args.requestId} with leaf ${args.leafHash}, not a leaf of ours: ignored`,
        );
        return null;
      }
    }
    const [inserted] = await sql<{ id: string }>(
      `INSERT INTO disputes (dispute_id, chain_batch_id, leaf_hash, request_id, inference_id, worker, challenger,
                             phase, opened_tx, opened_block, opened_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, to_timestamp($11))
       ON CONFLICT (dispute_id) DO NOTHING
       RETURNING id`,
      [
        args.disputeId.toString(),
        args.batchId.toString(),
        args.leafHash.toLowerCase(),
        args.requestId.toLowerCase(),
        row.id,
        getAddress(args.worker),
        getAddress(args.challenger),
        OPENED_PHASE,
        log.transactionHash,
        log.blockNumber.toString(),
        openedAt,
      ],
    );
    if (!inserted) return null;
    this.log.warn(
      `dispute ${args.disputeId} opened by ${args.challenger} on the ${current ? '' : 'discarded '}result of ${args.requestId}`,
    );
    const held =
      current && (await this.outcomes.holdWith(sql, { inference_id: row.id, leaf_hash: args.leafHash }));
    return { disputeId: args.disputeId.toString(), heldInferenceId: held ? row.id : null };
  }
}
