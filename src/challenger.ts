/**
 * The challenger process (`verity challenger`, src/cli/challenger.commands.ts): an independent
 * watcher of optimistic-mode results. It reads results from the API, checks each against the
 * engine and the chain, disputes the wrong ones in the DisputeGame with its own key and bond, and
 * plays every dispute to the end (src/challenger/). Framework-free (no Nest). With
 * `request` it checks one result, plays its dispute to the end if it is wrong, and reports the
 * outcome; with `once` it makes one pass and returns.
 */
import pino, { type Logger } from 'pino';
import type { Address, Hex } from 'viem';
import { verityDomain } from './chain/typed-data';
import { isCommittedResult } from './challenger/challenge-target';
import {
  ChallengerApiClient,
  type ApiInference,
  type ChallengerProtocol,
} from './challenger/challenger-api-client';
import { connectChallengerChain } from './challenger/challenger-chain';
import { ChallengerError } from './challenger/challenger.errors';
import { Challenger, type ChallengerStats } from './challenger/challenger';
import { sleep, untilAnswered } from './worker/backoff';

export const DEFAULT_CHALLENGER_INTERVAL_MS = 2_000;

export interface ChallengerOptions {
  /** GraphQL endpoint of the API. */
  apiUrl: string;
  /** JSON-RPC endpoint of the chain the API settles on. */
  rpcUrl: string;
  /** The challenger key (0x + 64 hex): pays bonds and gas, receives bonds and rewards. */
  privateKey: Hex;
  /** Pause between passes, and between looks at a dispute waiting on the defender (default 2000). */
  intervalMs?: number;
  /** Check only this result (inference id, or 0x request id) and play its dispute to the end. */
  request?: string;
  /** One pass, then stop (disputes still in progress are left; a later run resumes them). */
  once?: boolean;
  log?: Logger;
  fetch?: typeof fetch;
}

/** How a run ended: the daemon stopped, or the one result checked in `request` mode. */
export type ChallengeOutcome =
  | { kind: 'stopped' }
  | { kind: 'agrees'; requestId: Hex }
  | { kind: 'refuted'; requestId: Hex; disputeId: bigint }
  | { kind: 'won' | 'lost'; requestId: Hex; disputeId: bigint; reason: string };

export interface ChallengerHandle {
  address: Address;
  protocol: ChallengerProtocol;
  stats(): ChallengerStats;
  /** Resolves when the run has ended (after stop(), after one pass with `once`, or with the request's outcome). */
  readonly done: Promise<ChallengeOutcome>;
  /** Stops after the move in flight, then resolves. */
  stop(): Promise<void>;
}

/** Statuses after which a result will never be in a committed batch. */
const NEVER_COMMITTED = new Set(['FAILED', 'FINAL']);

export async function startChallenger(options: ChallengerOptions): Promise<ChallengerHandle> {
  const log = options.log ?? pino({ level: 'info' });
  const intervalMs = options.intervalMs ?? DEFAULT_CHALLENGER_INTERVAL_MS;
  if (!Number.isInteger(intervalMs) || intervalMs < 1)
    throw new ChallengerError(
      'INVALID_ARGUMENT',
      `the interval must be a positive integer of ms, got ${intervalMs}`,
    );
  const stopController = new AbortController();
  const api = new ChallengerApiClient(options.apiUrl, options.fetch);
  const protocol = await untilAnswered('protocol', () => api.protocol(), log, stopController.signal);
  const chain = await connectChallengerChain({
    rpcUrl: options.rpcUrl,
    privateKey: options.privateKey,
    protocol,
  });
  const domain = verityDomain(protocol.chainId, protocol.settlement);
  const challenger = new Challenger({ api, chain, domain, log });
  log.info(
    {
      challenger: chain.account.address,
      chainId: protocol.chainId,
      disputeGame: chain.game,
      bondWei: chain.bondWei.toString(),
      maxClockSeconds: chain.maxClockSeconds.toString(),
    },
    'challenger started',
  );

  const run: Run = { challenger, api, log, intervalMs, signal: stopController.signal };
  const done = options.request ? challengeOne(run, options.request) : watch(run, options.once ?? false);
  let stopping: Promise<void> | undefined;
  return {
    address: chain.account.address,
    protocol,
    stats: () => ({ ...challenger.stats }),
    done,
    stop: () => {
      stopController.abort();
      stopping ??= done.then(
        () => undefined,
        () => undefined,
      );
      return stopping;
    },
  };
}

interface Run {
  challenger: Challenger;
  api: ChallengerApiClient;
  log: Logger;
  intervalMs: number;
  signal: AbortSignal;
}

/** The daemon: a pass every intervalMs until stopped (or one pass with `once`). */
async function watch({ challenger, log, intervalMs, signal }: Run, once: boolean): Promise<ChallengeOutcome> {
  const shouldStop = () => signal.aborted;
  while (!signal.aborted) {
    try {
      await challenger.pass(shouldStop);
    } catch (error) {
      log.warn({ err: (error as Error).message }, `pass failed: ${(error as Error).message}; trying again`);
    }
    if (once) break;
    await sleep(intervalMs, signal);
  }
  if (challenger.disputesInProgress > 0)
    log.warn(
      { disputes: challenger.disputesInProgress },
      `${challenger.disputesInProgress} disputes still in progress; run the challenger again to play them to the end`,
    );
  log.info({ ...challenger.stats }, 'challenger stopped');
  return { kind: 'stopped' };
}

/** `--request`: check one result, dispute it if wrong, play the dispute to its end. */
async function challengeOne(run: Run, reference: string): Promise<ChallengeOutcome> {
  const { challenger, log, signal } = run;
  const inference = await committedResult(run, reference);
  if (!inference) return { kind: 'stopped' };
  challenger.stats.checked++;
  const examination = await challenger.examine(inference);
  if (examination.kind === 'agrees') {
    log.info({ requestId: examination.requestId }, 'the result agrees with the engine; nothing to dispute');
    return examination;
  }
  if (examination.kind === 'refuted') return examination;
  const tracked = examination.dispute;
  while (!signal.aborted) {
    const step = await challenger.stepDispute(tracked);
    if (step.state === 'resolved') {
      return {
        kind: step.won ? 'won' : 'lost',
        requestId: tracked.requestId,
        disputeId: tracked.id,
        reason: step.reason,
      };
    }
    if (step.state === 'waiting') await sleep(run.intervalMs, signal);
  }
  return { kind: 'stopped' };
}

/** The inference, once its result is in a batch committed on-chain (waits while it is on its way). */
async function committedResult(run: Run, reference: string): Promise<ApiInference | null> {
  const { api, log, signal } = run;
  let inference = await untilAnswered('inference', () => api.find(reference), log, signal);
  let said = false;
  while (!isCommittedResult(inference)) {
    if (NEVER_COMMITTED.has(inference.status) || inference.mode !== 'OPTIMISTIC') {
      throw new ChallengerError(
        'TARGET_REFUSED',
        `request ${inference.requestId} is ${inference.mode} and ${inference.status} without a result in a committed batch; there is nothing to dispute`,
      );
    }
    if (!said)
      log.info(
        { requestId: inference.requestId, status: inference.status },
        'waiting for the result to be committed on-chain',
      );
    said = true;
    await sleep(run.intervalMs, signal);
    if (signal.aborted) return null;
    inference = await untilAnswered('inference', () => api.inference(inference.id), log, signal);
  }
  return inference;
}
