import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Hash, Hex } from 'viem';
import { DataSource } from 'typeorm';
import { SettlementAbi } from '../chain/generated/contracts';
import { verifyResultProof } from '../chain/result-merkle';
import { InferenceEvents } from '../inference/inference-events';
import { STATUSES_AWAITING_FINALITY, statusIn, transition } from '../inference/lifecycle';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { LEAF_COLUMNS, leafHashOf, loadBatchTree, type BatchTree, type LeafRow } from '../result-batches/batch-leaves';
import { BatchCommitter } from './batch-committer';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { revertName } from '../chain/chain-error-kinds';
import { RetryBackoff } from '../polling/retry-backoff';
import { BATCH_COMMITTED } from '../result-batches/result-batch.entity';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { FINALIZER_BATCH_SIZE, RequestStatus } from './settlement.constants';
import { query, sqlFor } from '../database/sql';
import { SettlementError } from './settlement.errors';
import { ResultMarks } from './result-marks';
import { ResultRevealer } from './result-revealer';

interface FinalizeRow {
  id: string;
  request_id: Hex;
}

/** A CHALLENGEABLE API row past its recorded window, with its place in its batch. */
interface DueRow extends LeafRow {
  batch_id: string;
  leaf_index: number;
  chain_batch_id: string;
}

/** What the chain says about one due row, read at one block. */
type DueVerdict = 'final' | 'wait' | 'batch-missing';

/**
 * Moves committed optimistic results to finality:
 *
 * - reveal (ResultRevealer): a CHAIN request's result (COMMITTED) is revealed with
 *   Settlement.reveal and becomes CHALLENGEABLE with the window the contract reports;
 * - finalize: once the latest block is past a CHALLENGEABLE row's window, an API row becomes FINAL
 *   (nothing on-chain to do) if the current chain holds the batch root its leaf proof leads to,
 *   with that batch's window over, and its leaf has no undecided dispute and was not discarded;
 *   a CHAIN row is finalized with Settlement.finalize (which pays the worker and calls the
 *   consumer back; it refuses a disputed result itself) and becomes FINAL.
 *
 * Why an API row's FINAL needs its root read from the chain: the database outlives the chain
 * (a reset development chain, a node that lost its last blocks in a crash, another chain behind
 * the same RPC URL). A result whose root is not on the current chain was never published there,
 * so nobody could dispute it; it is committed again (BatchCommitter.recommit) and gets the new
 * commit's window, never FINAL before.
 *
 * Why an API row's finality is sound even when the dispute watcher lags: nothing on-chain stops an
 * API row from being called FINAL, so the finalizer asks the chain itself. A dispute can only be
 * opened while the batch's window is open (DisputeGame.open), and the row is a candidate only once
 * the latest block is past that window, so the set of disputes on its leaf is closed by then:
 * `openDisputesOf(leaf) == 0 && !isLeafDiscarded(leaf)` read at that latest block means every
 * dispute there will ever be on the leaf was decided for the defender. A row that fails the check
 * stays CHALLENGEABLE; the watcher moves it to DISPUTED, and the dispute's outcome either releases
 * it (final at a later pass) or sends its request back to REQUESTED (src/challenges).
 *
 * When the chain is already ahead of the database (a reveal or finalize sent before a crash), the
 * row is reconciled from Settlement.resultOf instead. A reverted row waits (doubling pauses) before
 * it is tried again; a node that does not answer ends the pass, the next iteration retries.
 */
@Injectable()
export class ResultFinalizer {
  private readonly log = new Logger(ResultFinalizer.name);
  private readonly backoff: RetryBackoff;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(SETTLEMENT_OPTIONS) options: SettlementOptions,
    private readonly sender: ChainTxSender,
    private readonly events: InferenceEvents,
    private readonly committer: BatchCommitter,
    private readonly revealer: ResultRevealer,
    private readonly marks: ResultMarks,
  ) {
    this.backoff = new RetryBackoff(options.revertRetryInitialMs, options.revertRetryMaxMs);
  }

  async runOnce(): Promise<void> {
    await this.revealer.revealCommitted();
    await this.finalizeDue();
  }

  /** Reveals the results of COMMITTED optimistic CHAIN requests (ResultRevealer). */
  async revealCommitted(): Promise<void> {
    await this.revealer.revealCommitted();
  }

  /** Finalizes CHALLENGEABLE rows whose window is over at the latest block. */
  async finalizeDue(): Promise<void> {
    const latest = await this.runtime.chain.publicClient.getBlock({ blockTag: 'latest' });
    const now = Number(latest.timestamp);
    const due = await query<DueRow>(
      this.dataSource,
      `SELECT ${LEAF_COLUMNS}, i.batch_id, i.leaf_index, b.chain_batch_id
         FROM inferences i JOIN models m ON m.id = i.model_id JOIN result_batches b ON b.id = i.batch_id
        WHERE ${statusIn('i.status', STATUSES_AWAITING_FINALITY)} AND i.origin = 'API'
          AND i.challenge_ends_at <= to_timestamp($1) AND b.status = $2
        ORDER BY i.challenge_ends_at, i.id`,
      [now, BATCH_COMMITTED],
    );
    const verdicts = await this.verdictsAt(due, latest.number, latest.timestamp);
    const missing = new Map<string, string>();
    due.forEach((row, i) => {
      if (verdicts[i] === 'batch-missing') missing.set(row.batch_id, row.chain_batch_id);
    });
    for (const [batchId, chainBatchId] of missing) {
      await this.committer.recommit(
        batchId,
        `the chain does not hold its root as Settlement batch ${chainBatchId} (block ${latest.number})`,
      );
    }
    const final = due.filter((_, i) => verdicts[i] === 'final').map((row) => row.id);
    if (final.length > 0) {
      const apiRows = await transition(sqlFor(this.dataSource), 'finalize', {
        set: 'final_at = now(), updated_at = now()',
        where: "id = ANY($1::uuid[]) AND origin = 'API'",
        params: [final],
      });
      if (apiRows.length > 0) await this.events.changed(apiRows.map((row) => row.id));
    }
    const chainRows = await query<FinalizeRow>(
      this.dataSource,
      `SELECT id, request_id FROM inferences
        WHERE ${statusIn('status', STATUSES_AWAITING_FINALITY)} AND origin = 'CHAIN' AND challenge_ends_at <= to_timestamp($1)
        ORDER BY challenge_ends_at, id
        LIMIT $2`,
      [now, FINALIZER_BATCH_SIZE],
    );
    for (const row of chainRows) {
      await this.backoff.attempt(
        row.id,
        () => this.finalize(row),
        (seconds, error) => this.log.error(`finalize of ${row.request_id} failed, retrying in ${seconds} s: ${error}`),
      );
    }
  }

  /**
   * What the chain says, at block `blockNumber` (time `blockTime`), about each row: 'final' when
   * the Settlement holds, under the row's batch id, the root its leaf proof (rebuilt from the
   * batch's rows) leads to, that batch's window is over, and the leaf has no undecided dispute and
   * was not discarded (Settlement.batchRootAndWindow, openDisputesOf, isLeafDiscarded);
   * 'batch-missing' when the root is not there; 'wait' otherwise.
   */
  private async verdictsAt(
    rows: readonly DueRow[],
    blockNumber: bigint,
    blockTime: bigint,
  ): Promise<DueVerdict[]> {
    const settlement = this.runtime.deployment.contracts.Settlement;
    const { publicClient } = this.runtime.chain;
    const read = <T>(functionName: 'openDisputesOf' | 'isLeafDiscarded', leaf: Hex) =>
      publicClient.readContract({
        address: settlement,
        abi: SettlementAbi,
        functionName,
        args: [leaf],
        blockNumber,
      }) as Promise<T>;
    const trees = new Map<string, Promise<BatchTree>>();
    const onChain = new Map<string, ReturnType<BatchCommitter['onChainBatch']>>();
    const verdicts: DueVerdict[] = [];
    for (let start = 0; start < rows.length; start += FINALIZER_BATCH_SIZE) {
      const chunk = rows.slice(start, start + FINALIZER_BATCH_SIZE);
      const checks = await Promise.all(
        chunk.map(async (row): Promise<DueVerdict> => {
          if (!trees.has(row.batch_id))
            trees.set(row.batch_id, loadBatchTree(sqlFor(this.dataSource), row.batch_id));
          if (!onChain.has(row.batch_id))
            onChain.set(row.batch_id, this.committer.onChainBatch(BigInt(row.chain_batch_id), blockNumber));
          const leaf = leafHashOf(row);
          const [batch, tree, open, discarded] = await Promise.all([
            onChain.get(row.batch_id)!,
            trees.get(row.batch_id)!,
            read<bigint>('openDisputesOf', leaf),
            read<boolean>('isLeafDiscarded', leaf),
          ]);
          const proven =
            BigInt(batch.root) !== 0n && verifyResultProof(leaf, tree.tree.proof(row.leaf_index), batch.root);
          if (!proven) return 'batch-missing';
          return batch.challengeEndsAt <= blockTime && open === 0n && !discarded ? 'final' : 'wait';
        }),
      );
      verdicts.push(...checks);
    }
    return verdicts;
  }

  private async finalize(row: FinalizeRow): Promise<void> {
    let hash: Hash;
    try {
      ({ hash } = await this.sender.send({
        address: this.runtime.deployment.contracts.Settlement,
        abi: SettlementAbi,
        functionName: 'finalize',
        args: [row.request_id],
      }));
    } catch (error) {
      // Settlement_NotPending: finalized already (we crashed after sending, or anyone finalized it).
      if (revertName(error) === 'Settlement_NotPending') return this.reconcileFinal(row);
      throw error;
    }
    const receipt = await this.sender.waitForReceipt(hash);
    if (receipt.status !== 'success') return this.reconcileFinal(row);
    await this.marks.final(row.id, hash);
  }

  private async reconcileFinal(row: FinalizeRow): Promise<void> {
    const status = await this.runtime.chain.publicClient.readContract({
      address: this.runtime.deployment.contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'statusOf',
      args: [row.request_id],
    });
    if (status === RequestStatus.Disputed) {
      // Held by a dispute opened since the reveal: final (or reopened) once it is decided.
      this.log.log(`finalize of ${row.request_id} waits: its result is under dispute`);
      return;
    }
    if (status === RequestStatus.Open) {
      // A dispute refuted the revealed result and reopened the request: the dispute outcome
      // handler queues it again.
      this.log.warn(`finalize of ${row.request_id} refused: a dispute discarded its result`);
      return;
    }
    if (status !== RequestStatus.Final)
      throw new SettlementError('CHAIN_STATE_MISMATCH', `request ${row.request_id} cannot be finalized: its on-chain status is ${status}`);
    this.log.warn(`request ${row.request_id} was already final on-chain: status taken from the chain`);
    await this.marks.final(row.id, null);
  }
}
