/**
 * The worker's main loop: claim a batch, keep its leases alive while it computes, run it, submit
 * the signed results once. Behind a full batch, claiming the next batch overlaps computing the
 * current one (the claim is a round trip to the API; computing is onnxruntime plus hashing). Every API error is
 * logged and backed off (capped exponential); the loop ends only when stop() is called, after the
 * batch in flight (and one claimed ahead) is submitted.
 */
import type { Logger } from 'pino';
import { Backoff, sleep } from './backoff';
import type { JobRunner } from './job-runner';
import type { ClaimedJob, ResultSubmission, WorkerApiClient } from './worker-api-client';
import { WorkerError, isTransient } from './worker.errors';

/** How long claimJobs waits on the server when no job is ready (the server caps it at 10 s). */
export const CLAIM_WAIT_MS = 2000;
/** Submission attempts per batch (transient errors, or after dropping jobs whose lease was lost). */
export const MAX_SUBMIT_ATTEMPTS = 6;

export interface WorkerLoopOptions {
  maxBatch: number;
  leaseSeconds: number;
  /** Testing aid: sleep this long after claiming a batch, before computing it. */
  computeDelayMs: number;
  /** Claim the next batch while the current (full) one computes. */
  prefetch: boolean;
  backend: string;
}

export interface WorkerStats {
  batches: number;
  submitted: number;
  refused: number;
  /** Computed but not accepted: lease lost, or the submission refused. */
  lost: number;
  apiErrors: number;
}

/** The calls the loop makes (WorkerApiClient implements them). */
export type WorkerLoopApi = Pick<WorkerApiClient, 'claimJobs' | 'heartbeat' | 'submitResults'>;

export interface WorkerLoopDeps {
  client: WorkerLoopApi;
  runner: Pick<JobRunner, 'run'>;
  log: Logger;
  /** Registers the worker again (after WORKER_NOT_REGISTERED, e.g. the API lost its database). */
  register(): Promise<void>;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown): string => (error instanceof WorkerError ? error.code : 'UNEXPECTED');

export class WorkerLoop {
  readonly stats: WorkerStats = { batches: 0, submitted: 0, refused: 0, lost: 0, apiErrors: 0 };
  private readonly backoff = new Backoff();
  private readonly stopRequested = new AbortController();
  private running?: Promise<void>;

  constructor(
    private readonly deps: WorkerLoopDeps,
    private readonly options: WorkerLoopOptions,
  ) {}

  start(): Promise<void> {
    this.running ??= this.run();
    return this.running;
  }

  /** Stops claiming, finishes what was claimed, then resolves. */
  async stop(): Promise<void> {
    this.stopRequested.abort();
    await this.running;
  }

  private get stopping(): boolean {
    return this.stopRequested.signal.aborted;
  }

  private async run(): Promise<void> {
    let pending: Promise<ClaimedJob[]> | undefined = this.claim();
    while (pending) {
      const jobs: ClaimedJob[] = await pending;
      // Claim ahead only behind a full batch (a backlog): with a short queue, jobs claimed ahead
      // would wait here while another worker sits idle.
      const backlog = jobs.length >= this.options.maxBatch;
      pending = this.options.prefetch && backlog && !this.stopping ? this.claim() : undefined;
      if (jobs.length > 0) await this.process(jobs);
      if (!pending && !this.stopping) pending = this.claim();
    }
  }

  /** The next batch; [] after an error (logged, then backed off). Never throws. */
  private async claim(): Promise<ClaimedJob[]> {
    try {
      const jobs = await this.deps.client.claimJobs({
        maxJobs: this.options.maxBatch,
        waitMs: CLAIM_WAIT_MS,
        leaseSeconds: this.options.leaseSeconds,
      });
      this.backoff.reset();
      return jobs;
    } catch (error) {
      await this.onApiError('claimJobs', error);
      return [];
    }
  }

  private async onApiError(operation: string, error: unknown): Promise<void> {
    this.stats.apiErrors++;
    const delayMs = this.backoff.next();
    this.deps.log.warn(
      { operation, code: codeOf(error), err: messageOf(error), retryInMs: delayMs },
      `${operation} failed; backing off`,
    );
    if (codeOf(error) === 'WORKER_NOT_REGISTERED') {
      await this.deps
        .register()
        .catch((e: unknown) =>
          this.deps.log.warn({ code: codeOf(e), err: messageOf(e) }, 'registering again failed'),
        );
    }
    await sleep(delayMs, this.stopRequested.signal);
  }

  private async process(jobs: ClaimedJob[]): Promise<void> {
    const started = performance.now();
    const lost = new Set<string>();
    const heartbeats = this.keepLeases(
      jobs.map((j) => j.id),
      lost,
    );
    try {
      if (this.options.computeDelayMs > 0)
        await sleep(this.options.computeDelayMs, this.stopRequested.signal);
      const outcome = await this.deps.runner.run(jobs);
      for (const r of outcome.refused)
        this.deps.log.warn({ job: r.jobId, code: r.code, reason: r.reason }, 'job refused');
      const computedMs = performance.now() - started;
      const accepted = await this.submit(outcome.results, lost);
      this.stats.batches++;
      this.stats.submitted += accepted.length;
      this.stats.refused += outcome.refused.length;
      this.stats.lost += outcome.results.length - accepted.length;
      const models = outcome.stats.map((s) => ({
        model: s.modelId,
        jobs: s.jobs,
        computeMs: Math.round(s.computeMs),
        signMs: Math.round(s.signMs),
      }));
      const ms = Math.round(performance.now() - started);
      this.deps.log.info(
        {
          jobs: jobs.length,
          submitted: accepted.length,
          refused: outcome.refused.length,
          lost: outcome.results.length - accepted.length,
          models,
          computeMs: Math.round(computedMs),
          ms,
        },
        `batch: ${accepted.length}/${jobs.length} results submitted (${models.map((m) => `${m.jobs} x model ${m.model}`).join(', ') || 'no model'}) in ${ms} ms`,
      );
    } catch (error) {
      // Nothing above should throw; if something does, the leases lapse and the jobs go to others.
      this.deps.log.error({ err: error, jobs: jobs.length }, 'batch failed; its leases will lapse');
    } finally {
      heartbeats.stop();
    }
  }

  /** Heartbeats every leaseSeconds/3 while the batch is ours; jobs reported lost are added to `lost`. */
  private keepLeases(jobIds: readonly string[], lost: Set<string>): { stop(): void } {
    let inFlight = false;
    const timer = setInterval(
      () => {
        const held = jobIds.filter((id) => !lost.has(id));
        if (inFlight || held.length === 0) return;
        inFlight = true;
        this.deps.client
          .heartbeat(held)
          .then((result) => {
            result.lost.forEach((id) => lost.add(id));
            if (result.lost.length > 0)
              this.deps.log.warn({ lost: result.lost }, 'leases lost; those results will not be submitted');
            this.deps.log.debug(
              { extended: result.extended.length, leaseExpiresAt: result.leaseExpiresAt },
              'heartbeat',
            );
          })
          .catch((error: unknown) =>
            this.deps.log.warn({ code: codeOf(error), err: messageOf(error) }, 'heartbeat failed'),
          )
          .finally(() => {
            inFlight = false;
          });
      },
      (this.options.leaseSeconds * 1000) / 3,
    );
    return { stop: () => clearInterval(timer) };
  }

  /** submitResults once for the batch; retried on transient errors, and without jobs whose lease was lost. */
  private async submit(results: readonly ResultSubmission[], lost: ReadonlySet<string>): Promise<string[]> {
    let pending = results.filter((r) => !lost.has(r.jobId));
    const backoff = new Backoff();
    for (let attempt = 1; pending.length > 0; attempt++) {
      try {
        return await this.deps.client.submitResults({ backend: this.options.backend, results: pending });
      } catch (error) {
        this.stats.apiErrors++;
        if (attempt >= MAX_SUBMIT_ATTEMPTS) {
          this.deps.log.error(
            { code: codeOf(error), err: messageOf(error), results: pending.length },
            'submitResults kept failing; dropping the batch',
          );
          return [];
        }
        if (!isTransient(error)) {
          const held = await this.stillHeld(pending.map((r) => r.jobId));
          if (held === undefined || held.size === pending.length) {
            this.deps.log.error(
              { code: codeOf(error), err: messageOf(error), results: pending.length },
              'submitResults refused the batch; dropping it',
            );
            return [];
          }
          pending = pending.filter((r) => held.has(r.jobId));
          this.deps.log.warn(
            { code: codeOf(error), dropped: results.length - pending.length },
            'submitResults refused the batch; retrying without the jobs no longer leased',
          );
          continue;
        }
        const delayMs = backoff.next();
        this.deps.log.warn(
          { code: codeOf(error), err: messageOf(error), retryInMs: delayMs },
          'submitResults failed; retrying',
        );
        await sleep(delayMs);
      }
    }
    return [];
  }

  /** The job ids among `ids` whose lease we still hold (a heartbeat extends them), or undefined when that cannot be told. */
  private async stillHeld(ids: readonly string[]): Promise<Set<string> | undefined> {
    try {
      return new Set((await this.deps.client.heartbeat(ids)).extended);
    } catch {
      return undefined;
    }
  }
}
