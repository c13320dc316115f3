/**
 * Plays the challenger's side of one dispute, one move per call: reads the dispute as it stands
 * (readDispute), claims a timeout when the side to move has used up its clock (timeoutClaim), else
 * sends the honest challenger's move (challengerMove), else waits on the defender. Because every
 * decision reads only the chain's current state, a late poll or a restart resumes where the game
 * is. Once the dispute is resolved it logs the outcome and collects what is owed: the bonds
 * credited in the game (withdraw) and the slash reward credited in the Escrow (claim).
 */
import { formatEther, type Hex } from 'viem';
import type { Logger } from 'pino';
import {
  DisputeOutcome,
  DisputePhase,
  DisputeReason,
  DisputeSide,
  type DisputeView,
} from '../chain/dispute-client';
import { challengerMove, timeoutClaim, type ChallengerKnowledge } from '../challenges/dispute-strategy';
import type { ChallengerChain } from './challenger-chain';

/** A dispute this challenger opened (or found open under its account) and plays to the end. */
export interface TrackedDispute {
  id: bigint;
  requestId: Hex;
  leafHash: Hex;
  knowledge: ChallengerKnowledge;
  /** The block the dispute was opened in, when this process opened it (bounds the log reads). */
  openedBlock?: bigint;
  /** Set once "nothing to play" was logged for the current phase, so it is said once. */
  idleLoggedPhase?: number;
}

export type DisputeStep =
  | { state: 'waiting' }
  | { state: 'moved'; move: string }
  | { state: 'resolved'; won: boolean; reason: string };

const REASON_NAMES: Record<number, string> = {
  [DisputeReason.None]: 'no reason',
  [DisputeReason.InputMismatch]: 'the revealed input is not the committed one',
  [DisputeReason.OutputMismatch]: 'the revealed output is not the committed one',
  [DisputeReason.OneStep]: 'one-step execution',
  [DisputeReason.Timeout]: 'timeout',
};

export function reasonName(reason: number): string {
  return REASON_NAMES[reason] ?? `reason ${reason}`;
}

const eth = (wei: bigint) => `${formatEther(wei)} ETH`;

export class DisputePlayer {
  constructor(
    private readonly chain: ChallengerChain,
    private readonly log: Logger,
  ) {}

  /** One look at the dispute: a move sent, nothing to do yet, or its outcome (payouts collected). */
  async step(tracked: TrackedDispute): Promise<DisputeStep> {
    const { disputes } = this.chain;
    const view = await disputes.readDispute(tracked.id, tracked.openedBlock);
    if (view.phase === DisputePhase.Resolved) return this.resolve(view);
    const planned =
      timeoutClaim(view, disputes.calls) ?? challengerMove(view, tracked.knowledge, disputes.calls);
    if (!planned) {
      if (view.turn === DisputeSide.Challenger && tracked.idleLoggedPhase !== view.phase) {
        tracked.idleLoggedPhase = view.phase;
        this.log.warn(
          { dispute: view.id.toString(), phase: view.phase },
          `dispute ${view.id}: our turn, but the engine's trace finds nothing to dispute here`,
        );
      }
      return { state: 'waiting' };
    }
    const sent = await disputes.send(planned.call);
    this.log.info(
      { dispute: view.id.toString(), move: planned.move, tx: sent.hash, gasUsed: sent.gasUsed.toString() },
      `dispute ${view.id}: ${planned.move} (${planned.detail})`,
    );
    return { state: 'moved', move: planned.move };
  }

  /** Logs the outcome and withdraws what the game and the Escrow credited to this account. */
  private async resolve(view: DisputeView): Promise<DisputeStep> {
    const won = view.outcome === DisputeOutcome.ChallengerWon;
    const reason = reasonName(view.reason);
    const account = this.chain.account.address;
    const [claimable, rewards] = await Promise.all([
      this.chain.disputes.claimable(account),
      this.chain.escrowCredit(),
    ]);
    const bond = this.chain.bondWei;
    this.log.info(
      { dispute: view.id.toString(), requestId: view.requestId, won, reason },
      won
        ? `dispute ${view.id}: won (${reason}), bond ${eth(bond)} back, reward ${eth(rewards)} to claim`
        : `dispute ${view.id}: lost (${reason}), bond ${eth(bond)} forfeited to the worker`,
    );
    await this.collect(view.id, claimable, rewards);
    return { state: 'resolved', won, reason };
  }

  private async collect(id: bigint, claimable: bigint, rewards: bigint): Promise<void> {
    try {
      if (claimable > 0n) {
        const sent = await this.chain.disputes.withdraw();
        this.log.info({ tx: sent.hash }, `dispute ${id}: withdrew ${eth(claimable)} from the dispute game`);
      }
      if (rewards > 0n) {
        const hash = await this.chain.claimEscrow();
        this.log.info({ tx: hash }, `dispute ${id}: claimed ${eth(rewards)} (slash reward) from the Escrow`);
      }
    } catch (error) {
      // Credits stay claimable: the next resolved dispute (or a restart) collects them.
      this.log.warn({ err: error }, `dispute ${id}: collecting the payout failed; it stays claimable`);
    }
  }
}
