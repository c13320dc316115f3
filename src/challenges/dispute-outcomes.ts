import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { isAddressEqual, parseEventLogs, type Hex } from 'viem';
import { DisputeOutcome, type DisputeView } from '../chain/dispute-client';
import { DisputeGameAbi, SettlementAbi } from '../chain/generated/contracts';
import { InferenceEvents } from '../inference/inference-events';
import { JobSignal } from '../inference/job-signal';
import { transition } from '../inference/lifecycle';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { transaction, type Sql } from '../database/sql';
import { phaseName, reasonName, statusOfOutcome, type DisputeRow } from './dispute-row';
import { loadInferenceLeaf, sameHash } from './inference-leaf';

/** What happened to the inference when an outcome was applied. */
type InferenceChange = 'held' | 'released' | 'refuted' | 'none';

/**
 * Applies disputes to inference rows:
 *
 * - hold: an inference whose current leaf is under an undecided dispute is DISPUTED (from
 *   CHALLENGEABLE, or COMMITTED for a CHAIN result not revealed yet);
 * - apply: a decided dispute records its outcome (status, reason, slash, time of the deciding
 *   block); then, when the leaf is discarded on-chain (Settlement.isLeafDiscarded: a challenger
 *   won, this dispute or another), the result moves to discarded_results and the request goes
 *   back to REQUESTED with its worker excluded, in one transaction, whether the row is DISPUTED
 *   or still COMMITTED/CHALLENGEABLE (TRANSITIONS.refuted); otherwise, once no dispute on
 *   the leaf is undecided (Settlement.openDisputesOf), the row goes back to CHALLENGEABLE (its
 *   window already open: an API row, or a revealed CHAIN row) or COMMITTED (a CHAIN row still to
 *   reveal).
 *
 * Every change is conditional on the row still holding the disputed leaf, so a dispute over an
 * older, already discarded result never touches the request's new one, and applying an outcome
 * twice changes nothing the second time.
 */
@Injectable()
export class DisputeOutcomes {
  private readonly log = new Logger(DisputeOutcomes.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly events: InferenceEvents,
    private readonly jobSignal: JobSignal,
  ) {}

  /** Moves the inference holding `dispute`'s leaf to DISPUTED (in `sql`'s transaction); whether it moved. */
  async holdWith(sql: Sql, dispute: Pick<DisputeRow, 'inference_id' | 'leaf_hash'>): Promise<boolean> {
    if (!dispute.inference_id) return false;
    const row = await loadInferenceLeaf(sql, dispute.inference_id, true);
    if (!row || !sameHash(row.leafHash, dispute.leaf_hash)) return false;
    const held = await transition(sql, 'dispute', { set: 'updated_at = now()', where: 'id = $1', params: [row.id] });
    return held.length > 0;
  }

  /** hold in a transaction of its own (an open dispute seen before its row was committed). */
  async hold(dispute: DisputeRow): Promise<void> {
    if (await transaction(this.dataSource, (sql) => this.holdWith(sql, dispute))) {
      await this.events.changed([dispute.inference_id!]);
    }
  }

  /** Records a decided dispute and applies it to its inference. */
  async apply(dispute: DisputeRow, view: DisputeView): Promise<void> {
    const leaf = dispute.leaf_hash.trim() as Hex;
    const [discarded, open, refutedBy, decided] = await Promise.all([
      this.readSettlement<boolean>('isLeafDiscarded', leaf),
      this.readSettlement<bigint>('openDisputesOf', leaf),
      this.runtime.chain.publicClient.readContract({
        address: this.runtime.deployment.contracts.DisputeGame,
        abi: DisputeGameAbi,
        functionName: 'refutingDisputeOf',
        args: [leaf],
      }),
      this.decision(dispute, view),
    ]);
    const status = statusOfOutcome(view.outcome);
    const change = await transaction(this.dataSource, async (sql): Promise<InferenceChange | null> => {
      const recorded = await sql(
        `UPDATE disputes SET status = $2, reason = $3, phase = $4, slashed_wei = $5,
                resolved_at = COALESCE(to_timestamp($6), now()), updated_at = now()
          WHERE id = $1 AND status = 'OPEN' RETURNING id`,
        [
          dispute.id,
          status,
          reasonName(view.reason),
          phaseName(view.phase),
          decided.slashedWei?.toString() ?? null,
          decided.resolvedAt,
        ],
      );
      if (recorded.length === 0) return null;
      if (!dispute.inference_id) return 'none';
      const row = await loadInferenceLeaf(sql, dispute.inference_id, true);
      if (!row || !sameHash(row.leafHash, leaf)) return 'none';
      if (discarded)
        return (await this.refute(sql, row.id, leaf, refutedBy || BigInt(dispute.dispute_id)))
          ? 'refuted'
          : 'none';
      if (open !== 0n) return 'none';
      // The row is locked (loadInferenceLeaf): its window is open (API, or a revealed CHAIN row),
      // or it is a CHAIN row still to reveal.
      const released = [
        ...(await transition(sql, 'disputeUpheld', {
          set: 'updated_at = now()',
          where: 'id = $1 AND challenge_ends_at IS NOT NULL',
          params: [row.id],
        })),
        ...(await transition(sql, 'disputeUpheldUnrevealed', {
          set: 'updated_at = now()',
          where: 'id = $1 AND challenge_ends_at IS NULL',
          params: [row.id],
        })),
      ];
      return released.length > 0 ? 'released' : 'none';
    });
    if (change === null) return;
    const slashed = decided.slashedWei ? `, ${decided.slashedWei} wei slashed` : '';
    this.log.log(
      `dispute ${dispute.dispute_id} on ${dispute.request_id.trim()}: ${status} (${reasonName(view.reason)}${slashed})`,
    );
    if (change === 'none') return;
    await this.events.changed([dispute.inference_id!]);
    if (change === 'refuted') {
      this.log.warn(
        `the result of ${dispute.request_id.trim()} by ${dispute.worker.trim()} was refuted: the request is computed again by another worker`,
      );
      this.jobSignal.notify();
    }
  }

  /**
   * Moves the result off the row into discarded_results and queues the request again, excluding
   * its worker; whether the row changed. The row keeps its attempts.
   */
  private async refute(sql: Sql, inferenceId: string, leaf: Hex, disputeId: bigint): Promise<boolean> {
    await sql(
      `INSERT INTO discarded_results (inference_id, request_id, batch_id, leaf_index, leaf_hash, input_commitment,
                                      output_commitment, trace_commitment, worker_address, worker_signature,
                                      output_fixed, backend, dispute_id)
       SELECT id, request_id, batch_id, leaf_index, $2, input_commitment, output_commitment, trace_commitment,
              worker_address, worker_signature, output_fixed, backend, $3
         FROM inferences WHERE id = $1
       ON CONFLICT (batch_id, leaf_index) DO NOTHING`,
      [inferenceId, leaf.toLowerCase(), disputeId.toString()],
    );
    // From DISPUTED, or COMMITTED/CHALLENGEABLE when the leaf was discarded before the row was
    // held (see TRANSITIONS.refuted): the chain decides, not the row's status.
    const reset = await transition(sql, 'refuted', {
      set: `excluded_workers = CASE WHEN lower(worker_address)::char(42) = ANY (excluded_workers) THEN excluded_workers
                                      ELSE array_append(excluded_workers, lower(worker_address)::char(42)) END,
              worker_address = NULL, lease_expires_at = NULL, lease_seconds = NULL, backend = NULL,
              output_fixed = NULL, output_commitment = NULL, trace_commitment = NULL, worker_signature = NULL,
              batch_id = NULL, leaf_index = NULL, challenge_ends_at = NULL, reveal_tx = NULL,
              computed_at = NULL, committed_at = NULL, updated_at = now()`,
      where: 'id = $1',
      params: [inferenceId],
    });
    return reset.length > 0;
  }

  /**
   * When the deciding move was mined (its block's time) and what the Settlement slashed the
   * worker for it (LeafDisputeResolved in the same transaction; 0 when the defender won or the
   * leaf was already discarded). Nulls when the deciding event is not found.
   */
  private async decision(
    dispute: DisputeRow,
    view: DisputeView,
  ): Promise<{ resolvedAt: number | null; slashedWei: bigint | null }> {
    const { publicClient } = this.runtime.chain;
    const { DisputeGame, Settlement } = this.runtime.deployment.contracts;
    const [resolved] = await publicClient.getContractEvents({
      address: DisputeGame,
      abi: DisputeGameAbi,
      eventName: 'DisputeResolved',
      args: { disputeId: BigInt(dispute.dispute_id) },
      fromBlock: BigInt(dispute.opened_block),
      strict: true,
    });
    if (!resolved) return { resolvedAt: null, slashedWei: null };
    const [block, receipt] = await Promise.all([
      publicClient.getBlock({ blockNumber: resolved.blockNumber }),
      publicClient.getTransactionReceipt({ hash: resolved.transactionHash }),
    ]);
    let slashedWei: bigint | null = 0n;
    if (view.outcome === DisputeOutcome.ChallengerWon) {
      const settled = parseEventLogs({
        abi: SettlementAbi,
        eventName: 'LeafDisputeResolved',
        logs: receipt.logs,
      }).find(
        (log) => isAddressEqual(log.address, Settlement) && sameHash(log.args.leafHash, dispute.leaf_hash),
      );
      slashedWei = settled ? settled.args.slashed : null;
    }
    return { resolvedAt: Number(block.timestamp), slashedWei };
  }

  private readSettlement<T>(functionName: 'isLeafDiscarded' | 'openDisputesOf', leaf: Hex): Promise<T> {
    return this.runtime.chain.publicClient.readContract({
      address: this.runtime.deployment.contracts.Settlement,
      abi: SettlementAbi,
      functionName,
      args: [leaf],
    }) as Promise<T>;
  }
}
