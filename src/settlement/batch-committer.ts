import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isAddressEqual, parseEventLogs, type Hash, type Hex, type TransactionReceipt } from 'viem';
import { DataSource, In } from 'typeorm';
import { buildResultTree } from '../chain/result-merkle';
import { SettlementAbi } from '../chain/generated/contracts';
import { InferenceEntity } from '../inference/inference.entity';
import { InferenceEvents } from '../inference/inference-events';
import { ServiceMetrics } from '../metrics/service-metrics';
import { STATUSES_AWAITING_BATCH, UNSETTLED_STATUSES, statusIn, transition } from '../inference/lifecycle';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { LEAF_COLUMNS, toResultLeaf, type LeafRow } from '../result-batches/batch-leaves';
import { sendBackToCommit } from './batch-recommit';
import { BATCH_COMMITTED } from '../result-batches/result-batch.entity';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { RetryBackoff } from '../polling/retry-backoff';
import { describeChainError, isRevert } from '../chain/chain-error-kinds';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { query, sqlOnManager, transaction } from '../database/sql';
import { SettlementError } from './settlement.errors';

/** Most batches formed in one iteration (a backlog drains over a few iterations). */
const MAX_BATCHES_FORMED_PER_ITERATION = 16;

interface BatchRow {
  id: string;
  root: Hex;
  leaf_count: number;
}

type SendOutcome =
  { kind: 'none' } | { kind: 'sent'; batchId: string } | { kind: 'failed'; error: unknown; batchId: string };

interface SubmittedBatchRow extends BatchRow {
  tx_hash: Hash;
  grace_over: boolean;
}

interface CommittedBatchRow extends BatchRow {
  chain_batch_id: string;
}

/** A batch as the Settlement holds it now (root zero: no such batch). */
export interface OnChainBatch {
  root: Hex;
  challengeEndsAt: bigint;
}

/**
 * Commits computed results on-chain as Merkle roots, in three idempotent steps that resume from
 * the database after any crash or chain outage (an outage delays commits, never loses them):
 *
 * 1. form: COMPUTED rows without a batch become a PENDING batch (root, leaf order) in one
 *    transaction, once there are MAX_BATCH_SIZE of them or the oldest waited MAX_BATCH_WAIT_MS;
 * 2. send: each PENDING batch is sent as Settlement.commitBatch and becomes SUBMITTED with its
 *    transaction hash and nonce;
 * 3. confirm: a mined SUBMITTED batch becomes COMMITTED and its inferences COMMITTED (API
 *    optimistic ones CHALLENGEABLE at once) in one transaction; a reverted or dropped transaction
 *    sends the batch back to PENDING.
 *
 * Every transition is a conditional UPDATE on the current status, so repeating a step after a
 * crash changes nothing that was already done.
 *
 * A COMMITTED batch whose root the current chain does not hold (the chain was reset, or lost its
 * last blocks in a crash) is committed again (sendBackToCommit): the first iteration of each
 * process checks every batch with unsettled results (audit), and the finalizer checks each
 * result's batch before calling it FINAL.
 */
@Injectable()
export class BatchCommitter {
  private readonly log = new Logger(BatchCommitter.name);
  private challengeWindow: Promise<bigint> | undefined;
  /** Batches whose commitBatch the Settlement refused, paused before the next try. */
  private readonly refused: RetryBackoff;
  /** Whether this process has checked its committed batches against the chain (audit). */
  private audited = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementOptions,
    private readonly sender: ChainTxSender,
    private readonly events: InferenceEvents,
    private readonly metrics: ServiceMetrics,
  ) {
    this.refused = new RetryBackoff(options.revertRetryInitialMs, options.revertRetryMaxMs);
  }

  /** One iteration: (audit, until it succeeded once), form, send, confirm. Each step runs even if an earlier one failed. */
  async runOnce(): Promise<void> {
    const failures: unknown[] = [];
    const audit = async () => {
      if (this.audited) return;
      await this.audit();
      this.audited = true;
    };
    for (const step of [
      audit,
      () => this.formBatches(),
      () => this.sendPending(),
      () => this.confirmSubmitted(),
    ]) {
      await step().catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0) throw failures[0];
  }

  /** Forms batches while enough rows wait; returns the ids of the batches formed. */
  async formBatches(): Promise<string[]> {
    const formed: string[] = [];
    for (let i = 0; i < MAX_BATCHES_FORMED_PER_ITERATION; i++) {
      const batchId = await this.formBatch();
      if (batchId === null) break;
      formed.push(batchId);
    }
    return formed;
  }

  /**
   * Sends every PENDING batch, oldest first. A batch the Settlement refuses is logged and paused
   * (doubling pauses) while the others go on; a node that does not answer ends the step.
   */
  async sendPending(): Promise<void> {
    const tried: string[] = [];
    for (;;) {
      const outcome = await transaction(this.dataSource, async (sql): Promise<SendOutcome> => {
        const [batch] = await sql<BatchRow>(
          `SELECT id, root, leaf_count FROM result_batches
            WHERE status = 'PENDING' AND NOT (id = ANY($1::uuid[]))
            ORDER BY created_at, id
            LIMIT 1
            FOR UPDATE SKIP LOCKED`,
          [[...tried, ...this.refused.waitingKeys()]],
        );
        if (!batch) return { kind: 'none' };
        tried.push(batch.id);
        try {
          const sent = await this.sender.send({
            address: this.runtime.deployment.contracts.Settlement,
            abi: SettlementAbi,
            functionName: 'commitBatch',
            args: [batch.root, batch.leaf_count],
          });
          // Recorded at once: from here on, a crash leaves a SUBMITTED batch to confirm, not to resend.
          await sql(
            `UPDATE result_batches
                SET status = 'SUBMITTED', tx_hash = $2, tx_nonce = $3, send_attempts = send_attempts + 1,
                    last_error = NULL, updated_at = now()
              WHERE id = $1 AND status = 'PENDING'`,
            [batch.id, sent.hash, sent.nonce],
          );
          return { kind: 'sent', batchId: batch.id };
        } catch (error) {
          await sql(
            `UPDATE result_batches SET send_attempts = send_attempts + 1, last_error = $2, updated_at = now()
              WHERE id = $1 AND status = 'PENDING'`,
            [batch.id, describeChainError(error)],
          );
          return { kind: 'failed', error, batchId: batch.id };
        }
      });
      if (outcome.kind === 'none') return;
      if (outcome.kind === 'sent') {
        this.refused.succeeded(outcome.batchId);
        continue;
      }
      if (!isRevert(outcome.error)) throw outcome.error;
      const pauseMs = this.refused.failed(outcome.batchId);
      this.log.error(
        `commitBatch of batch ${outcome.batchId} REFUSED by the Settlement, retrying in ${Math.round(pauseMs / 1000)} s: ${describeChainError(outcome.error)}`,
      );
    }
  }

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
   * Sends back to commit every COMMITTED batch with unsettled results whose root the Settlement
   * does not hold under its batch id now; returns their ids.
   */
  async audit(): Promise<string[]> {
    const batches = await query<CommittedBatchRow>(
      this.dataSource,
      `SELECT b.id, b.root, b.leaf_count, b.chain_batch_id FROM result_batches b
        WHERE b.status = $2
          AND EXISTS (SELECT 1 FROM inferences i WHERE i.batch_id = b.id AND i.status = ANY($1::text[]))
        ORDER BY b.created_at, b.id`,
      [[...UNSETTLED_STATUSES], BATCH_COMMITTED],
    );
    const missing: string[] = [];
    for (const batch of batches) {
      const onChain = await this.onChainBatch(BigInt(batch.chain_batch_id));
      if (onChain.root.toLowerCase() === batch.root.trim().toLowerCase()) continue;
      await this.recommit(
        batch.id,
        `its root ${batch.root.trim()} is not Settlement batch ${batch.chain_batch_id} on this chain`,
      );
      missing.push(batch.id);
    }
    return missing;
  }

  /** Settlement.batchRootAndWindow(chainBatchId), at `blockNumber` (default latest). */
  async onChainBatch(chainBatchId: bigint, blockNumber?: bigint): Promise<OnChainBatch> {
    const [root, challengeEndsAt] = await this.runtime.chain.publicClient.readContract({
      address: this.runtime.deployment.contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'batchRootAndWindow',
      args: [chainBatchId],
      ...(blockNumber === undefined ? {} : { blockNumber }),
    });
    return { root, challengeEndsAt };
  }

  /** Sends one COMMITTED batch back to PENDING (sendBackToCommit), logging why. */
  async recommit(batchId: string, why: string): Promise<void> {
    const done = await transaction(this.dataSource, (sql) => sendBackToCommit(sql, [batchId], why));
    if (done.batchIds.length === 0) return;
    this.log.warn(
      `batch ${batchId} is committed again: ${why} (${done.inferenceIds.length} results wait for it)`,
    );
    if (done.inferenceIds.length > 0) await this.events.changed(done.inferenceIds);
  }

  private async formBatch(): Promise<string | null> {
    const { maxBatchSize, maxBatchWaitMs } = this.options;
    const result = await transaction(this.dataSource, async (sql) => {
      const rows = await sql<LeafRow & { ripe: boolean }>(
        `SELECT ${LEAF_COLUMNS},
                (i.computed_at IS NULL OR i.computed_at <= clock_timestamp() - make_interval(secs => $2::double precision / 1000)) AS ripe
           FROM inferences i JOIN models m ON m.id = i.model_id
          WHERE ${statusIn('i.status', STATUSES_AWAITING_BATCH)} AND i.batch_id IS NULL AND i.mode = 'OPTIMISTIC'
          ORDER BY i.computed_at, i.id
          LIMIT $1
          FOR UPDATE OF i SKIP LOCKED`,
        [maxBatchSize, maxBatchWaitMs],
      );
      if (rows.length === 0 || (rows.length < maxBatchSize && !rows[0].ripe)) return null;
      const tree = buildResultTree(rows.map(toResultLeaf));
      const [batch] = await sql<{ id: string }>(
        `INSERT INTO result_batches (root, leaf_count, status) VALUES ($1, $2, 'PENDING') RETURNING id`,
        [tree.root, rows.length],
      );
      const updated = await sql(
        `UPDATE inferences AS i SET batch_id = $1, leaf_index = v.leaf_index, updated_at = now()
           FROM unnest($2::uuid[], $3::integer[]) AS v(id, leaf_index)
          WHERE i.id = v.id AND ${statusIn('i.status', STATUSES_AWAITING_BATCH)} AND i.batch_id IS NULL
          RETURNING i.id`,
        [batch.id, rows.map((row) => row.id), rows.map((_, index) => index)],
      );
      if (updated.length !== rows.length)
        throw new SettlementError('DATA_INCONSISTENT', `batch ${batch.id}: ${updated.length} of ${rows.length} rows changed under a lock`);
      return { id: batch.id, size: rows.length, root: tree.root };
    });
    if (result) this.log.debug(`formed batch ${result.id}: ${result.size} results, root ${result.root}`);
    return result?.id ?? null;
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
