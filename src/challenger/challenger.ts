/**
 * The challenger daemon's core, framework-free: each pass lists the optimistic results the API
 * shows in committed batches, checks every leaf it has not seen (challenge-target.ts), recomputes
 * its trace with the engine and, only when the engine disagrees with the leaf, opens a dispute
 * and plays it (dispute-player.ts). Evaluation is deterministic, so a result the engine agrees
 * with is never disputed. Each leaf is checked once (a set of leaf hashes); a leaf already refuted
 * on-chain is left alone; a dispute this account already has open on a leaf (after a restart) is
 * resumed rather than opened again.
 */
import { formatEther, type Hex, type TypedDataDomain } from 'viem';
import type { Logger } from 'pino';
import { DisputePhase } from '../chain/dispute-client';
import { traceOf, type Trace } from '../engine';
import { leafIsWrong } from '../challenges/dispute-strategy';
import {
  checkInclusion,
  checkResult,
  isCommittedResult,
  verifyModel,
  type CheckedResult,
  type VerifiedModel,
} from './challenge-target';
import type { ApiInference, ChallengerApiClient } from './challenger-api-client';
import type { ChallengerChain } from './challenger-chain';
import { ChallengerError, isTransientChallengerError, refuse } from './challenger.errors';
import { DisputePlayer, type DisputeStep, type TrackedDispute } from './dispute-player';

/** Statuses of results still open to disputes (a DISPUTED one too: anyone may open another). */
export const CHALLENGEABLE_STATUSES = ['COMMITTED', 'CHALLENGEABLE', 'DISPUTED'] as const;

export interface ChallengerStats {
  checked: number;
  disputesOpened: number;
  disputesWon: number;
  disputesLost: number;
  movesSent: number;
}

/** What checking one result came to. */
export type Examination =
  | { kind: 'agrees'; requestId: Hex }
  | { kind: 'refuted'; requestId: Hex; disputeId: bigint }
  | { kind: 'disputed'; requestId: Hex; dispute: TrackedDispute };

export interface ChallengerDeps {
  api: ChallengerApiClient;
  chain: ChallengerChain;
  /** The EIP-712 domain worker signatures are checked in. */
  domain: TypedDataDomain;
  log: Logger;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class Challenger {
  readonly stats: ChallengerStats = {
    checked: 0,
    disputesOpened: 0,
    disputesWon: 0,
    disputesLost: 0,
    movesSent: 0,
  };
  private readonly checkedLeaves = new Set<string>();
  private readonly tracked = new Map<bigint, TrackedDispute>();
  private readonly models = new Map<string, Promise<VerifiedModel>>();
  private readonly player: DisputePlayer;

  constructor(private readonly deps: ChallengerDeps) {
    this.player = new DisputePlayer(deps.chain, deps.log);
  }

  /** Disputes opened (or resumed) and not resolved yet. */
  get disputesInProgress(): number {
    return this.tracked.size;
  }

  /** One pass: check every result not checked yet, then one look at each dispute in progress. */
  async pass(shouldStop: () => boolean): Promise<void> {
    await this.scan(shouldStop);
    for (const tracked of [...this.tracked.values()]) {
      if (shouldStop()) return;
      await this.stepDispute(tracked);
    }
  }

  /** Checks one result (refusals throw); a wrong one gets a dispute, tracked from then on. */
  async examine(inference: ApiInference): Promise<Examination> {
    const model = await this.modelFor(inference.modelId);
    const result = await checkResult(inference, model, this.deps.domain);
    let own: Trace;
    try {
      own = traceOf(model.model, result.inputFixed);
    } catch (cause) {
      throw refuse(result.requestId, `the engine cannot evaluate its input (${messageOf(cause)})`);
    }
    if (!leafIsWrong(result.leaf, own)) return { kind: 'agrees', requestId: result.requestId };
    return this.dispute(result, own);
  }

  /** One look at a tracked dispute; counts moves and outcomes, forgets it once resolved. */
  async stepDispute(tracked: TrackedDispute): Promise<DisputeStep> {
    let step: DisputeStep;
    try {
      step = await this.player.step(tracked);
    } catch (error) {
      this.deps.log.warn(
        { err: messageOf(error) },
        `dispute ${tracked.id}: ${messageOf(error)}; trying again`,
      );
      return { state: 'waiting' };
    }
    if (step.state === 'moved') this.stats.movesSent++;
    if (step.state === 'resolved') {
      this.tracked.delete(tracked.id);
      if (step.won) this.stats.disputesWon++;
      else this.stats.disputesLost++;
    }
    return step;
  }

  private async scan(shouldStop: () => boolean): Promise<void> {
    let checked = 0;
    for (const status of CHALLENGEABLE_STATUSES) {
      const inferences = await this.deps.api.allInferences(status);
      for (const inference of inferences) {
        if (shouldStop()) break;
        const key = inference.leafHash?.toLowerCase();
        if (!key || !isCommittedResult(inference) || this.checkedLeaves.has(key)) continue;
        this.checkedLeaves.add(key);
        checked++;
        this.stats.checked++;
        try {
          await this.examine(inference);
        } catch (error) {
          // A refusal is final for this leaf; trouble reaching the API or the node, or too little ETH, is not.
          const retry =
            isTransientChallengerError(error) || (error as ChallengerError).code === 'INSUFFICIENT_FUNDS';
          if (retry) this.checkedLeaves.delete(key);
          this.deps.log.warn(
            { requestId: inference.requestId, code: (error as ChallengerError).code },
            messageOf(error),
          );
        }
      }
    }
    if (checked > 0) this.deps.log.info({ checked, total: this.stats.checked }, `checked ${checked} results`);
  }

  /** Opens a dispute on a wrong leaf (or resumes ours), unless it is already refuted. */
  private async dispute(result: CheckedResult, own: Trace): Promise<Examination> {
    const { chain, log } = this.deps;
    const { requestId, leafHash } = result;
    const what =
      own.outputCommitment.toLowerCase() !== result.leaf.outputCommitment.toLowerCase() ? 'output' : 'trace';
    if (await chain.disputes.leafRefuted(leafHash)) {
      const disputeId = await chain.disputes.refutingDisputeOf(leafHash);
      log.info(
        { requestId, disputeId: disputeId.toString() },
        `request ${requestId}: the committed ${what} differs from the engine's; dispute ${disputeId} already refuted it`,
      );
      return { kind: 'refuted', requestId, disputeId };
    }
    const knowledge = {
      model: result.model.model,
      steps: result.model.steps,
      own,
    };
    const ours = await this.ownDisputeOn(leafHash);
    if (ours !== null) {
      log.info(
        { requestId },
        `request ${requestId}: the committed ${what} differs from the engine's; resuming our dispute ${ours}`,
      );
      return {
        kind: 'disputed',
        requestId,
        dispute: this.track({ id: ours, requestId, leafHash, knowledge }),
      };
    }
    log.info(
      { requestId, leafHash },
      `request ${requestId}: the committed ${what} differs from the engine's; opening a dispute`,
    );
    const [proof, window, now] = await Promise.all([
      this.deps.api.leafProof(result.inferenceId),
      chain.batchWindow(result.chainBatchId),
      chain.latestTimestamp(),
    ]);
    const target = checkInclusion(result, proof, window, now);
    await this.ensureFunds();
    const opened = await chain.disputes.openDispute({
      batchId: target.chainBatchId,
      leaf: target.leaf,
      leafProof: target.leafProof,
      parts: target.model.parts,
      workerSignature: target.workerSignature,
      bondWei: chain.bondWei,
    });
    this.stats.disputesOpened++;
    log.info(
      {
        dispute: opened.disputeId.toString(),
        requestId,
        tx: opened.hash,
        batchId: target.chainBatchId.toString(),
      },
      `dispute ${opened.disputeId}: open (request ${requestId}, bond ${formatEther(chain.bondWei)} ETH)`,
    );
    return {
      kind: 'disputed',
      requestId,
      dispute: this.track({
        id: opened.disputeId,
        requestId,
        leafHash,
        knowledge,
        openedBlock: opened.receipt.blockNumber,
      }),
    };
  }

  private track(dispute: TrackedDispute): TrackedDispute {
    this.tracked.set(dispute.id, dispute);
    return dispute;
  }

  /** This account's undecided dispute on the leaf, if it has one (the newest). */
  private async ownDisputeOn(leafHash: Hex): Promise<bigint | null> {
    const { disputes, account } = this.deps.chain;
    const ids = await disputes.disputeIdsOf(leafHash);
    for (const id of [...ids].reverse()) {
      if (this.tracked.has(id)) return id;
      const view = await disputes.readDispute(id);
      if (
        view.challenger.toLowerCase() === account.address.toLowerCase() &&
        view.phase !== DisputePhase.Resolved
      )
        return id;
    }
    return null;
  }

  private async ensureFunds(): Promise<void> {
    const { chain } = this.deps;
    const balance = await chain.balance();
    if (balance <= chain.bondWei) {
      throw new ChallengerError(
        'INSUFFICIENT_FUNDS',
        `the challenger ${chain.account.address} holds ${formatEther(balance)} ETH; a dispute needs the bond of ${formatEther(chain.bondWei)} ETH plus gas`,
      );
    }
  }

  /** The model, fetched and verified once (a failed fetch is tried again next time). */
  private modelFor(id: string): Promise<VerifiedModel> {
    let loading = this.models.get(id);
    if (!loading) {
      loading = this.deps.api.model(id).then(verifyModel);
      this.models.set(id, loading);
      loading.catch(() => this.models.delete(id));
    }
    return loading;
  }
}
