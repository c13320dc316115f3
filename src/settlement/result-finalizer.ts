import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isAddressEqual, parseEventLogs, type Hash, type Hex } from 'viem';
import { DataSource } from 'typeorm';
import { SettlementAbi } from '../chain/generated/contracts';
import { outputCommitment, verifyResultProof } from '../chain/result-merkle';
import { canonicalSignature } from '../chain/signature';
import { InferenceEvents } from '../inference/inference-events';
import {
  STATUSES_AWAITING_FINALITY,
  STATUSES_AWAITING_REVEAL,
  statusIn,
  transition,
} from '../inference/lifecycle';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { LEAF_COLUMNS, leafHashOf, loadBatchTree, type BatchTree, type LeafRow } from '../result-batches/batch-leaves';
import { BatchCommitter } from './batch-committer';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { describeChainError, isTransportError, revertName } from '../chain/chain-error-kinds';
import { RetryBackoff } from '../polling/retry-backoff';
import { BATCH_COMMITTED } from '../result-batches/result-batch.entity';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';
import { FINALIZER_BATCH_SIZE } from './settlement.constants';
import { query, sqlFor } from '../database/sql';
import { SettlementError } from './settlement.errors';

/** Settlement's RequestStatus (contracts/interfaces/IVerityResults.sol). */
const RequestStatus = { None: 0, Open: 1, Pending: 2, Disputed: 3, Final: 4 } as const;

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
 * - reveal: a CHAIN request's result (COMMITTED) is revealed with Settlement.reveal (leaf, output,
 *   proof rebuilt from the batch's rows, the worker's signature) and becomes CHALLENGEABLE with
 *   the window the contract reports;
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
  ) {
    this.backoff = new RetryBackoff(options.revertRetryInitialMs, options.revertRetryMaxMs);
  }

  async runOnce(): Promise<void> {
    await this.revealCommitted();
    await this.finalizeDue();
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
      if (this.backoff.isWaiting(row.id)) continue;
      await this.attempt(row.id, `reveal of ${row.request_id}`, () => this.reveal(row, trees));
    }
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
      if (this.backoff.isWaiting(row.id)) continue;
      await this.attempt(row.id, `finalize of ${row.request_id}`, () => this.finalize(row));
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

  /** Runs one row's step; a transport error ends the pass, any other failure pauses the row. */
  private async attempt(id: string, what: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
      this.backoff.succeeded(id);
    } catch (error) {
      if (isTransportError(error)) throw error;
      const pauseMs = this.backoff.failed(id);
      this.log.error(
        `${what} failed, retrying in ${Math.round(pauseMs / 1000)} s: ${describeChainError(error)}`,
      );
    }
  }

  private async reveal(row: RevealRow, trees: Map<string, BatchTree>): Promise<void> {
    if (!row.output_fixed || !row.worker_signature)
      throw new SettlementError('DATA_INCONSISTENT', `inference ${row.id} is COMMITTED without an output or a worker signature`);
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
    if (!event) throw new SettlementError('CHAIN_EVENT_MISSING', `reveal ${hash} of ${row.request_id} emitted no ResultRevealed`);
    await this.markChallengeable(row.id, Number(event.args.challengeEndsAt), hash);
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
    await this.markFinal(row.id, hash);
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
      throw new SettlementError('CHAIN_STATE_MISMATCH', `request ${row.request_id} holds another result on-chain than inference ${row.id}'s`);
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
    await this.markChallengeable(row.id, Number(challengeEndsAt), revealed?.transactionHash ?? null);
    if (status === RequestStatus.Final) await this.markFinal(row.id, null);
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
    await this.markFinal(row.id, null);
  }

  private async markChallengeable(id: string, challengeEndsAt: number, revealTx: Hash | null): Promise<void> {
    const changed = await transition(sqlFor(this.dataSource), 'reveal', {
      set: 'challenge_ends_at = to_timestamp($2), reveal_tx = $3, updated_at = now()',
      where: 'id = $1',
      params: [id, challengeEndsAt, revealTx],
    });
    if (changed.length > 0) await this.events.changed([id]);
  }

  private async markFinal(id: string, finalizeTx: Hash | null): Promise<void> {
    const changed = await transition(sqlFor(this.dataSource), 'finalize', {
      set: 'final_at = now(), finalize_tx = $2, updated_at = now()',
      where: 'id = $1',
      params: [id, finalizeTx],
    });
    if (changed.length > 0) await this.events.changed([id]);
  }
}
