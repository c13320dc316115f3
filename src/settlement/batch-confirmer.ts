import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isAddressEqual, parseEventLogs, type Hash, type TransactionReceipt } from 'viem';
import { DataSource, In } from 'typeorm';
import { SettlementAbi } from '../chain/generated/contracts';
import { InferenceEntity } from '../inference/inference.entity';
import { InferenceEvents } from '../inference/inference-events';
import { ServiceMetrics } from '../metrics/service-metrics';
import { transition } from '../inference/lifecycle';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { BATCH_COMMITTED } from '../result-batches/result-batch.entity';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { query, sqlOnManager } from '../database/sql';
import { SettlementError } from './settlement.errors';
import type { BatchRow } from './batch-formation';

interface SubmittedBatchRow extends BatchRow {
  tx_hash: Hash;
  grace_over: boolean;
}

/**
 * The batch committer's third step (BatchCommitter): a mined SUBMITTED batch becomes COMMITTED
 * and its inferences COMMITTED (API optimistic ones CHALLENGEABLE at once) in one transaction; a
 * reverted or dropped transaction sends the batch back to PENDING, to be sent again.
 */
@Injectable()
export class BatchConfirmer {
  private readonly log = new Logger(BatchConfirmer.name);
  private challengeWindow: Promise<bigint> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementOptions,
    private readonly sender: ChainTxSender,
    private readonly events: InferenceEvents,
    private readonly metrics: ServiceMetrics,
  ) {}

  /** Looks up the receipt of every SUBMITTED batch and applies what it says. */
  async confirmSubmitted(): Promise<void> {
    const batches = await query<SubmittedBatchRow>(
      this.dataSource,
      `SELECT id, root, leaf_count, tx_hash,
              updated_at <= clock_timestamp() - make_interval(secs => $1::double precision / 1000) AS grace_over
         FROM result_batches
        WHERE status = 'SUBMITTED'
        ORDER BY tx_nonce, created_at, id`,
      [this.options.droppedTxGraceMs],
    );
    for (const batch of batches) {
      const receipt = await this.sender.receiptOrNull(batch.tx_hash);
      if (receipt === null) {
        if (batch.grace_over && !(await this.sender.isKnown(batch.tx_hash))) {
          await this.sender.resyncNonce();
          await this.resend(batch, 'was dropped by the node');
        }
      } else if (receipt.status !== 'success') {
        this.log.error(
          `commitBatch ${batch.tx_hash} of batch ${batch.id} reverted in block ${receipt.blockNumber}; sending it again`,
        );
        await this.resend(batch, `reverted in block ${receipt.blockNumber}`);
      } else {
        await this.markCommitted(batch, receipt);
      }
    }
  }

  /**
   * Back to PENDING, to be sent again. Should the first transaction still be mined later, the
   * root is committed twice: harmless, since reveal accepts a leaf from either batch and a request
   * holds at most one result on-chain.
   */
  private async resend(batch: SubmittedBatchRow, why: string): Promise<void> {
    const message = `transaction ${batch.tx_hash} ${why}`;
    const changed = await query(
      this.dataSource,
      `UPDATE result_batches SET status = 'PENDING', last_error = $3, updated_at = now()
        WHERE id = $1 AND status = 'SUBMITTED' AND tx_hash = $2
        RETURNING id`,
      [batch.id, batch.tx_hash, message],
    );
    if (changed.length > 0) this.log.warn(`batch ${batch.id}: ${message}; it will be sent again`);
  }

  private async markCommitted(batch: SubmittedBatchRow, receipt: TransactionReceipt): Promise<void> {
    const settlement = this.runtime.deployment.contracts.Settlement;
    const event = parseEventLogs({
      abi: SettlementAbi,
      eventName: 'BatchCommitted',
      logs: receipt.logs,
    }).find(
      (log) =>
        isAddressEqual(log.address, settlement) && log.args.root.toLowerCase() === batch.root.toLowerCase(),
    );
    if (!event)
      throw new SettlementError(
        'CHAIN_EVENT_MISSING',
        `transaction ${batch.tx_hash} of batch ${batch.id} emitted no BatchCommitted for root ${batch.root}`,
      );
    const block = await this.runtime.chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const committedAt = Number(block.timestamp);
    const challengeEndsAt = committedAt + Number(await this.challengeWindowSeconds());
    const changes = await this.dataSource.transaction(async (manager) => {
      const sql = sqlOnManager(manager);
      const marked = await sql<{ id: string; formed_seconds_ago: number }>(
        `UPDATE result_batches
            SET status = $6, chain_batch_id = $3, block_number = $4, committed_at = to_timestamp($5),
                last_error = NULL, updated_at = now()
          WHERE id = $1 AND status = 'SUBMITTED' AND tx_hash = $2
          RETURNING id, extract(epoch FROM clock_timestamp() - created_at)::float8 AS formed_seconds_ago`,
        [
          batch.id,
          batch.tx_hash,
          event.args.batchId.toString(),
          receipt.blockNumber.toString(),
          committedAt,
          BATCH_COMMITTED,
        ],
      );
      if (marked.length === 0) return { ids: [], passed: [], latencySeconds: null };
      const committed = await transition(sql, 'commit', {
        set: 'committed_at = to_timestamp($2), updated_at = now()',
        where: 'batch_id = $1',
        params: [batch.id, committedAt],
      });
      // What subscribers see of COMMITTED for the API results, which leave it in this transaction.
      const watched = this.events.watched(committed.map((row) => row.id));
      const atCommit = watched.length > 0 ? await manager.findBy(InferenceEntity, { id: In(watched) }) : [];
      // API results need no reveal: their challenge window opens at the commit.
      const challengeable = await transition(sql, 'openChallengeWindow', {
        set: 'challenge_ends_at = to_timestamp($3), updated_at = now()',
        where: "id = ANY($1::uuid[]) AND batch_id = $2 AND mode = 'OPTIMISTIC' AND origin = 'API'",
        params: [committed.map((row) => row.id), batch.id, challengeEndsAt],
      });
      const movedOn = new Set(challengeable.map((row) => row.id));
      return {
        ids: [...new Set([...committed, ...challengeable].map((row) => row.id))],
        passed: atCommit.filter((row) => movedOn.has(row.id)),
        latencySeconds: marked[0].formed_seconds_ago,
      };
    });
    if (changes.latencySeconds !== null) {
      this.metrics.batchSize.observe(batch.leaf_count);
      this.metrics.batchCommitLatency.observe(changes.latencySeconds);
    }
    if (changes.ids.length === 0) return;
    this.log.log(
      `batch ${batch.id} committed as Settlement batch ${event.args.batchId} (${batch.leaf_count} results, block ${receipt.blockNumber})`,
    );
    await this.events.changed(changes.ids, changes.passed);
  }

  /** Settlement.challengeWindow(), read once (immutable in the contract). */
  private challengeWindowSeconds(): Promise<bigint> {
    this.challengeWindow ??= this.runtime.chain.publicClient
      .readContract({
        address: this.runtime.deployment.contracts.Settlement,
        abi: SettlementAbi,
        functionName: 'challengeWindow',
      })
      .catch((error: unknown) => {
        this.challengeWindow = undefined;
        throw error;
      });
    return this.challengeWindow;
  }
}
