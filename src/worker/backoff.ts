/**
 * Capped exponential backoff with jitter, a sleep that a stop request can cut short, and the
 * retry of an API call while the API is not answering (`verity worker`, `verity challenger`).
 */
import type { Logger } from 'pino';
import { isTransientApiError } from '../api-error-codes';

export const BACKOFF_INITIAL_MS = 250;
export const BACKOFF_MAX_MS = 10_000;

export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs = BACKOFF_INITIAL_MS,
    private readonly maxMs = BACKOFF_MAX_MS,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt after one more failure: initial * 2^k, capped, 50..100 % of it. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(base * (0.5 + 0.5 * this.random()));
  }

  reset(): void {
    this.failures = 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Retries `call` after transient errors (the API down, 5xx, rate limits), backing off, until it
 * succeeds or `signal` aborts; other errors are thrown.
 */
export async function untilAnswered<T>(
  what: string,
  call: () => Promise<T>,
  log: Logger,
  signal?: AbortSignal,
): Promise<T> {
  const backoff = new Backoff();
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientApiError(error) || signal?.aborted) throw error;
      const retryInMs = backoff.next();
      log.warn({ err: (error as Error).message, retryInMs }, `${what}: the API is not answering; retrying`);
      await sleep(retryInMs, signal);
    }
  }
}
