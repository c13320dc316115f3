/**
 * Waiting for an inference to reach a status: over the `inferenceUpdated` subscription while it
 * works, by polling `inference` when it cannot (the socket fails or closes early, a proxy without
 * WebSocket, `subscribe: false`). Framework-free; the client passes its transport in as a
 * StatusSource, a spec a scripted one.
 */
import type { InferenceStatus } from './generated/graphql';
import { VerityClientError } from './client.errors';

export interface StatusUpdate {
  id: string;
  status: InferenceStatus;
  error: { code: string; message: string } | null;
}

/** Where statuses come from: a subscription and a one-off read. */
export interface StatusSource {
  subscribe(
    id: string,
    handlers: { next(update: StatusUpdate): void; error(error: VerityClientError): void; complete(): void },
  ): () => void;
  read(id: string): Promise<StatusUpdate>;
}

export interface WaitOptions {
  /** Give up after this long (default 10 minutes): WAIT_TIMEOUT. */
  timeoutMs?: number;
  /** Pause between two reads when polling (default 2 s). */
  pollIntervalMs?: number;
  /** false: poll only, never open a WebSocket. */
  subscribe?: boolean;
  /** Called with each status seen, in order (a status may repeat when the client falls back to polling). */
  onStatus?: (update: StatusUpdate) => void;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 600_000;
export const DEFAULT_POLL_INTERVAL_MS = 2_000;

/** What the wait ended on: a target status, or FAILED (which ends every wait). */
type Outcome = { kind: 'reached'; update: StatusUpdate } | { kind: 'fallback' };

function failedError(update: StatusUpdate): VerityClientError {
  return new VerityClientError(
    'INFERENCE_FAILED',
    `inference ${update.id} failed: ${update.error ? `${update.error.code}: ${update.error.message}` : 'no reason given'}`,
    { id: update.id, error: update.error },
  );
}

function timeoutError(id: string, targets: ReadonlySet<InferenceStatus>, timeoutMs: number, last?: StatusUpdate): VerityClientError {
  return new VerityClientError(
    'WAIT_TIMEOUT',
    `inference ${id} did not reach ${[...targets].join(' or ')} within ${timeoutMs} ms (last status ${last?.status ?? 'unknown'})`,
    { id, lastStatus: last?.status ?? null, timeoutMs },
  );
}

/** Whether `update` ends the wait: reached (returned) or FAILED when FAILED is not a target (thrown). */
function decide(update: StatusUpdate, targets: ReadonlySet<InferenceStatus>): StatusUpdate | null {
  if (targets.has(update.status)) return update;
  if (update.status === 'FAILED') throw failedError(update);
  return null;
}

function followSubscription(
  source: StatusSource,
  id: string,
  targets: ReadonlySet<InferenceStatus>,
  deadline: number,
  timeoutMs: number,
  onStatus: (update: StatusUpdate) => void,
): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    let last: StatusUpdate | undefined;
    let done = false;
    let unsubscribe: () => void = () => undefined;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      settle();
    };
    const timer = setTimeout(
      () => finish(() => reject(timeoutError(id, targets, timeoutMs, last))),
      Math.max(0, deadline - Date.now()),
    );
    unsubscribe = source.subscribe(id, {
      next: (update) => {
        if (done) return;
        last = update;
        onStatus(update);
        if (targets.has(update.status)) finish(() => resolve({ kind: 'reached', update }));
        else if (update.status === 'FAILED') finish(() => reject(failedError(update)));
      },
      // A socket that failed falls back to polling; an error the API answered with (an unknown
      // id, a refused subscription) would come back from polling too, so it is thrown.
      error: (error) => finish(() => (error.code === 'API_UNREACHABLE' ? resolve({ kind: 'fallback' }) : reject(error))),
      complete: () => finish(() => resolve({ kind: 'fallback' })),
    });
    if (done) unsubscribe();
  });
}

async function poll(
  source: StatusSource,
  id: string,
  targets: ReadonlySet<InferenceStatus>,
  deadline: number,
  options: Required<Pick<WaitOptions, 'pollIntervalMs' | 'timeoutMs'>>,
  onStatus: (update: StatusUpdate) => void,
): Promise<StatusUpdate> {
  let last: StatusUpdate | undefined;
  for (;;) {
    last = await source.read(id);
    onStatus(last);
    const reached = decide(last, targets);
    if (reached) return reached;
    const pause = Math.min(options.pollIntervalMs, deadline - Date.now());
    if (pause <= 0) throw timeoutError(id, targets, options.timeoutMs, last);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/**
 * Resolves with the first update whose status is in `targets`. Throws INFERENCE_FAILED when the
 * inference fails (unless FAILED is a target), WAIT_TIMEOUT after `timeoutMs`, and the API's code
 * for an error it answers with (INFERENCE_NOT_FOUND, ...).
 */
export async function waitForStatus(
  source: StatusSource,
  id: string,
  targets: readonly InferenceStatus[],
  options: WaitOptions = {},
): Promise<StatusUpdate> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!(timeoutMs > 0) || !(pollIntervalMs > 0)) {
    throw new VerityClientError('INVALID_ARGUMENT', `timeoutMs and pollIntervalMs must be positive, got ${timeoutMs} and ${pollIntervalMs}`);
  }
  const wanted = new Set(targets);
  const deadline = Date.now() + timeoutMs;
  const onStatus = options.onStatus ?? (() => undefined);
  if (options.subscribe !== false) {
    const outcome = await followSubscription(source, id, wanted, deadline, timeoutMs, onStatus);
    if (outcome.kind === 'reached') return outcome.update;
  }
  return poll(source, id, wanted, deadline, { pollIntervalMs, timeoutMs }, onStatus);
}
