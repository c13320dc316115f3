import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isAddressEqual, parseEventLogs, type Hash, type Hex } from 'viem';
import { DataSource } from 'typeorm';
import { SettlementAbi } from '../chain/generated/contracts';
import { outputCommitment } from '../chain/result-merkle';
import { canonicalSignature } from '../chain/signature';
import { STATUSES_AWAITING_REVEAL, statusIn } from '../inference/lifecycle';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { loadBatchTree, type BatchTree } from '../result-batches/batch-leaves';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { revertName } from '../chain/chain-error-kinds';
import { RetryBackoff } from '../polling/retry-backoff';
import { BATCH_COMMITTED } from '../result-batches/result-batch.entity';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { FINALIZER_BATCH_SIZE, RequestStatus } from './settlement.constants';
import { query, sqlFor } from '../database/sql';
import { SettlementError } from './settlement.errors';
import { ResultMarks } from './result-marks';

interface RevealRow {
  id: string;
  request_id: Hex;
  batch_id: string;
  leaf_index: number;
  output_fixed: string[] | null;
  output_commitment: string;
  worker_signature: Hex | null;
  chain_batch_id: string;
  root: string;
  block_number: string;
}

/**
 * Reveals the results of CHAIN requests once their batch is committed (ResultFinalizer's first
 * step): a COMMITTED optimistic CHAIN row is revealed with Settlement.reveal (leaf, output, proof
 * rebuilt from the batch's rows, the worker's signature) and becomes CHALLENGEABLE with the window
 * the contract reports. When the chain is already ahead of the database (a reveal sent before a
 * crash), the row is reconciled from Settlement.resultOf instead. A reverted row waits (doubling
 * pauses) before it is tried again; a node that does not answer ends the pass.
 */
@Injectable()
export class ResultRevealer {
  private readonly log = new Logger(ResultRevealer.name);
  private readonly backoff: RetryBackoff;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(SETTLEMENT_OPTIONS) options: SettlementOptions,
    private readonly sender: ChainTxSender,
    private readonly marks: ResultMarks,
  ) {
    this.backoff = new RetryBackoff(options.revertRetryInitialMs, options.revertRetryMaxMs);
  }

  /** Reveals the results of COMMITTED optimistic CHAIN requests. */
  async revealCommitted(): Promise<void> {
    const rows = await query<RevealRow>(
      this.dataSource,
      `SELECT i.id, i.request_id, i.batch_id, i.leaf_index, i.output_fixed, i.output_commitment, i.worker_signature,
              b.chain_batch_id, b.root, b.block_number
         FROM inferences i JOIN result_batches b ON b.id = i.batch_id
        WHERE ${statusIn('i.status', STATUSES_AWAITING_REVEAL)} AND i.origin = 'CHAIN' AND i.mode = 'OPTIMISTIC'
          AND b.status = $2
        ORDER BY i.committed_at, i.id
        LIMIT $1`,
      [FINALIZER_BATCH_SIZE, BATCH_COMMITTED],
    );
    const trees = new Map<string, BatchTree>();
    for (const row of rows) {
      await this.backoff.attempt(
        row.id,
        () => this.reveal(row, trees),
        (seconds, error) =>
          this.log.error(`reveal of ${row.request_id} failed, retrying in ${seconds} s: ${error}`),
      );
    }
  }

  private async reveal(row: RevealRow, trees: Map<string, BatchTree>): Promise<void> {
    if (!row.output_fixed || !row.worker_signature)
      throw new SettlementError(
        'DATA_INCONSISTENT',
        `inference ${row.id} is COMMITTED without an output or a worker signature`,
      );
    let batch = trees.get(row.batch_id);
    if (!batch) {
      batch = await loadBatchTree(sqlFor(this.dataSource), row.batch_id);
      if (batch.tree.root.toLowerCase() !== row.root.trim().toLowerCase()) {
        throw new SettlementError(
          'CHAIN_STATE_MISMATCH',
          `batch ${row.batch_id}: the rows rebuild root ${batch.tree.root}, but ${row.root} was committed`,
        );
      }
      trees.set(row.batch_id, batch);
    }
    const leaf = batch.leaves[row.leaf_index];
    const settlement = this.runtime.deployment.contracts.Settlement;
    let hash: Hash;
    try {
      ({ hash } = await this.sender.send({
        address: settlement,
        abi: SettlementAbi,
        functionName: 'reveal',
        args: [
          BigInt(row.chain_batch_id),
          leaf,
          row.output_fixed.map(BigInt),
          batch.tree.proof(row.leaf_index),
          // Reveal only takes the canonical form (LibSignature); a row stored before the API
          // enforced it may hold a malleated one, whose canonical twin is the same signature.
          canonicalSignature(row.worker_signature) ?? row.worker_signature,
        ],
      }));
    } catch (error) {
      const refusal = revertName(error);
      // Settlement_NotOpen: the result is already revealed (we crashed after sending, or someone
      // else revealed it): take the state from the chain.
      if (refusal === 'Settlement_NotOpen') return this.reconcile(row, BigInt(row.block_number));
      // A dispute on the leaf is undecided: the dispute watcher moves the row to DISPUTED, and the
      // outcome decides whether it is revealed later (upheld) or computed again (refuted).
      if (refusal === 'Settlement_LeafUnderDispute') {
        this.log.log(`reveal of ${row.request_id} waits: its leaf is under dispute`);
        return;
      }
      // A dispute refuted the leaf: it can never be revealed; the dispute outcome handler moves
      // the result off the row and queues the request again.
      if (refusal === 'Settlement_LeafDiscarded') {
        this.log.warn(`reveal of ${row.request_id} refused: its leaf was discarded by a dispute`);
        return;
      }
      throw error;
    }
    const receipt = await this.sender.waitForReceipt(hash);
    if (receipt.status !== 'success') return this.reconcile(row, BigInt(row.block_number));
    const event = parseEventLogs({
      abi: SettlementAbi,
      eventName: 'ResultRevealed',
      logs: receipt.logs,
    }).find(
      (log) =>
        isAddressEqual(log.address, settlement) &&
        log.args.requestId.toLowerCase() === row.request_id.toLowerCase(),
    );
    if (!event)
      throw new SettlementError(
        'CHAIN_EVENT_MISSING',
        `reveal ${hash} of ${row.request_id} emitted no ResultRevealed`,
      );
    await this.marks.challengeable(row.id, Number(event.args.challengeEndsAt), hash);
  }

  /** Applies the chain's state of a request whose reveal was refused as not open. */
  private async reconcile(row: RevealRow, fromBlock: bigint): Promise<void> {
    const settlement = this.runtime.deployment.contracts.Settlement;
    const { publicClient } = this.runtime.chain;
    const [output, , status, , challengeEndsAt] = await publicClient.readContract({
      address: settlement,
      abi: SettlementAbi,
      functionName: 'resultOf',
      args: [row.request_id],
    });
    if (status === RequestStatus.Open || status === RequestStatus.None) {
      throw new SettlementError(
        'CHAIN_STATE_MISMATCH',
        `request ${row.request_id} is still open on-chain (status ${status}); the reveal did not go through`,
      );
    }
    if (outputCommitment(output).toLowerCase() !== row.output_commitment.trim().toLowerCase()) {
      throw new SettlementError(
        'CHAIN_STATE_MISMATCH',
        `request ${row.request_id} holds another result on-chain than inference ${row.id}'s`,
      );
    }
    const [revealed] = await publicClient.getContractEvents({
      address: settlement,
      abi: SettlementAbi,
      eventName: 'ResultRevealed',
      args: { requestId: row.request_id },
      fromBlock,
      strict: true,
    });
    this.log.warn(`request ${row.request_id} was already revealed on-chain: status taken from the chain`);
    await this.marks.challengeable(row.id, Number(challengeEndsAt), revealed?.transactionHash ?? null);
    if (status === RequestStatus.Final) await this.marks.final(row.id, null);
  }
}
