import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  DisputePhase,
  DisputeSide,
  createDisputeClient,
  disputeCalls,
  type DisputeClient,
  type DisputeView,
} from '../chain/dispute-client';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { ChainTxSender, type ContractWrite } from '../chain-tx/chain-tx-sender';
import { RetryBackoff } from '../polling/retry-backoff';
import { query } from '../database/sql';
import { CHALLENGES_OPTIONS, type ChallengesOptions } from './challenges.options';
import { ChallengesError } from './challenges.errors';
import { ClaimedTraces } from './claimed-traces';
import { defenderMove, timeoutClaim, type Calls, type PlannedMove } from './dispute-strategy';
import { DisputeOutcomes } from './dispute-outcomes';
import { phaseName, type DisputeRow } from './dispute-row';

/** Why a dispute is not answered (disputes.note). */
export const UNDEFENDABLE_NOTE = "the worker's trace is not the engine's: the result cannot be defended";
export const DEFENDER_OFF_NOTE = 'the service does not defend results (DISPUTE_DEFENDER=off)';

/**
 * Plays the defender's side of every open dispute on our results, one pass at a time, from what
 * the chain shows (a restarted service resumes where each game is):
 *
 * - a decided dispute is handed to DisputeOutcomes;
 * - a side whose clock ran out is claimed against (claimTimeout: either way, this decides the
 *   dispute, so the result is released, or its request computed again, without waiting for
 *   someone else to claim);
 * - on the defender's turn, with DISPUTE_DEFENDER on, the answer (revealTrace, revealChunks,
 *   revealChunkValues) comes from the engine's trace of the input (ClaimedTraces). When that
 *   trace's commitment is not the disputed leaf's, the worker signed a trace the engine does not
 *   produce: nothing valid can be posted, so the dispute is marked undefended and left to run out.
 *
 * Each move is sent through the service's single nonce-managed sender and recorded once mined. A
 * move that reverts (the other side moved, or a clock ran out, in between) pauses the dispute
 * briefly and is planned again from the new state; a node that does not answer ends the pass.
 */
@Injectable()
export class DisputeDefender {
  private readonly log = new Logger(DisputeDefender.name);
  private readonly backoff: RetryBackoff;
  private readonly calls: Calls;
  private readonly reader: DisputeClient;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(CHALLENGES_OPTIONS) options: ChallengesOptions,
    private readonly sender: ChainTxSender,
    private readonly outcomes: DisputeOutcomes,
    private readonly traces: ClaimedTraces,
  ) {
    this.backoff = new RetryBackoff(options.moveRetryInitialMs, options.moveRetryMaxMs);
    const game = runtime.deployment.contracts.DisputeGame;
    this.calls = disputeCalls(game);
    this.reader = createDisputeClient({
      game,
      publicClient: runtime.chain.publicClient,
      walletClient: runtime.chain.walletClient,
    });
  }

  /** One pass over the open disputes, oldest first. */
  async runOnce(): Promise<void> {
    const rows = await query<DisputeRow>(
      this.dataSource,
      `SELECT * FROM disputes WHERE status = 'OPEN' ORDER BY dispute_id`,
    );
    for (const row of rows) {
      await this.backoff.attempt(
        row.id,
        () => this.play(row),
        (seconds, error) =>
          this.log.error(`dispute ${row.dispute_id}: ${error}; played again in ${seconds} s`),
      );
    }
  }

  private async play(row: DisputeRow): Promise<void> {
    const view = await this.reader.readDispute(BigInt(row.dispute_id), BigInt(row.opened_block));
    if (view.phase === DisputePhase.Resolved) return this.outcomes.apply(row, view);
    await this.outcomes.hold(row);
    if (phaseName(view.phase) !== row.phase) {
      await this.update(row, 'phase = $2', [phaseName(view.phase)]);
    }
    const move = timeoutClaim(view, this.calls) ?? (await this.defence(row, view));
    if (move) await this.send(row, move);
  }

  /** The defender's answer when it is its turn and the service defends this dispute. */
  private async defence(row: DisputeRow, view: DisputeView): Promise<PlannedMove | null> {
    if (view.turn !== DisputeSide.Defender) return null;
    if (!this.runtime.config.disputes.defend) {
      if (row.defending) await this.update(row, 'defending = false, note = $2', [DEFENDER_OFF_NOTE]);
      return null;
    }
    if (!row.defending && row.note !== DEFENDER_OFF_NOTE) return null;
    const claimed = row.inference_id ? await this.traces.of(row.inference_id) : null;
    if (!claimed || claimed.traceCommitment.toLowerCase() !== view.traceCommitment.toLowerCase()) {
      await this.update(row, 'defending = false, note = $2', [UNDEFENDABLE_NOTE]);
      this.log.error(
        `dispute ${row.dispute_id} on ${row.request_id.trim()}: worker ${row.worker.trim()} signed trace ${view.traceCommitment}, ` +
          `the engine's is ${claimed?.traceCommitment ?? 'unknown'}: not defended`,
      );
      return null;
    }
    if (!row.defending) await this.update(row, 'defending = true, note = NULL', []);
    return defenderMove(view, claimed, this.calls);
  }

  private async send(row: DisputeRow, planned: PlannedMove): Promise<void> {
    this.log.log(`dispute ${row.dispute_id}: ${planned.move} (${planned.detail})`);
    // DisputeCall's arguments are typed loosely (one builder per move); each builder sets its own.
    const write = planned.call as ContractWrite;
    const { hash } = await this.sender.send(write);
    const receipt = await this.sender.waitForReceipt(hash);
    if (receipt.status !== 'success') {
      throw new ChallengesError('DISPUTE_MOVE_REVERTED', `${planned.move} ${hash} reverted on-chain`, {
        disputeId: row.dispute_id,
        hash,
      });
    }
    await this.update(row, 'last_move = $2, last_move_tx = $3, moves = moves + 1', [planned.move, hash]);
  }

  /** `SET ${assignments}` on the dispute's row ($1 is its id, then `params`). */
  private async update(row: DisputeRow, assignments: string, params: readonly unknown[]): Promise<void> {
    await query(
      this.dataSource,
      `UPDATE disputes SET ${assignments}, updated_at = now() WHERE id = $1 AND status = 'OPEN'`,
      [row.id, ...params],
    );
  }
}
