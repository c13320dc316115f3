import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Hex } from 'viem';
import { DataSource } from 'typeorm';
import { SettlementAbi } from '../chain/generated/contracts';
import { InferenceEvents } from '../inference/inference-events';
import { UNSETTLED_STATUSES } from '../inference/lifecycle';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { sendBackToCommit } from './batch-recommit';
import { BATCH_COMMITTED } from '../result-batches/result-batch.entity';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { RetryBackoff } from '../polling/retry-backoff';
import { describeChainError, isRevert } from '../chain/chain-error-kinds';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { query, transaction } from '../database/sql';
import { BatchConfirmer } from './batch-confirmer';
import { formBatch, type BatchRow } from './batch-formation';

/** Most batches formed in one iteration (a backlog drains over a few iterations). */
const MAX_BATCHES_FORMED_PER_ITERATION = 16;

type SendOutcome =
  { kind: 'none' } | { kind: 'sent'; batchId: string } | { kind: 'failed'; error: unknown; batchId: string };

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
    private readonly confirmer: BatchConfirmer,
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
      const batchId = await this.formOne();
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

  /** Looks up the receipt of every SUBMITTED batch and applies what it says (BatchConfirmer). */
  async confirmSubmitted(): Promise<void> {
    await this.confirmer.confirmSubmitted();
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

  private async formOne(): Promise<string | null> {
    const formed = await formBatch(this.dataSource, this.options);
    if (formed) this.log.debug(`formed batch ${formed.id}: ${formed.size} results, root ${formed.root}`);
    return formed?.id ?? null;
  }
}
