import { VerityClientError } from './client.errors';
import type { InferenceStatus } from './generated/graphql';
import { waitForStatus, type StatusSource, type StatusUpdate } from './wait-for-status';

const update = (status: InferenceStatus, error: StatusUpdate['error'] = null): StatusUpdate => ({ id: 'i-1', status, error });

/** A source whose subscription the test drives by hand and whose reads follow a script. */
function scriptedSource(reads: StatusUpdate[] = []) {
  let handlers: Parameters<StatusSource['subscribe']>[1] | undefined;
  const source: StatusSource & { unsubscribed: number; readCount: number } = {
    unsubscribed: 0,
    readCount: 0,
    subscribe: (_id, h) => {
      handlers = h;
      return () => void source.unsubscribed++;
    },
    read: async () => {
      source.readCount++;
      const next = reads.shift();
      if (!next) throw new Error('the script has no more reads');
      return next;
    },
  };
  return { source, push: (u: StatusUpdate) => handlers!.next(u), fail: (e: VerityClientError) => handlers!.error(e), end: () => handlers!.complete() };
}

describe('waitForStatus', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves at the first target status the subscription delivers, and unsubscribes', async () => {
    const { source, push } = scriptedSource();
    const seen: string[] = [];
    const waiting = waitForStatus(source, 'i-1', ['FINAL'], { onStatus: (u) => seen.push(u.status) });
    for (const status of ['REQUESTED', 'ASSIGNED', 'COMPUTED', 'COMMITTED', 'CHALLENGEABLE', 'FINAL'] as const) push(update(status));
    await expect(waiting).resolves.toEqual(update('FINAL'));
    expect(seen).toEqual(['REQUESTED', 'ASSIGNED', 'COMPUTED', 'COMMITTED', 'CHALLENGEABLE', 'FINAL']);
    expect(source.unsubscribed).toBe(1);
    expect(source.readCount).toBe(0);
  });

  it('throws INFERENCE_FAILED with the API reason when the inference fails', async () => {
    const { source, push } = scriptedSource();
    const waiting = waitForStatus(source, 'i-1', ['FINAL']);
    push(update('FAILED', { code: 'EVALUATION_FAILED', message: 'overflow' }));
    await expect(waiting).rejects.toMatchObject({ code: 'INFERENCE_FAILED', message: expect.stringContaining('EVALUATION_FAILED: overflow') });
  });

  it('falls back to polling when the socket fails, and polls until the target', async () => {
    jest.useFakeTimers();
    const { source, fail } = scriptedSource([update('COMMITTED'), update('CHALLENGEABLE'), update('FINAL')]);
    const waiting = waitForStatus(source, 'i-1', ['FINAL'], { pollIntervalMs: 1000 });
    fail(new VerityClientError('API_UNREACHABLE', 'socket closed'));
    await jest.advanceTimersByTimeAsync(2000);
    await expect(waiting).resolves.toEqual(update('FINAL'));
    expect(source.readCount).toBe(3);
  });

  it('falls back to polling when the subscription completes before the target', async () => {
    const { source, push, end } = scriptedSource([update('FINAL')]);
    const waiting = waitForStatus(source, 'i-1', ['FINAL']);
    push(update('COMMITTED'));
    end();
    await expect(waiting).resolves.toEqual(update('FINAL'));
    expect(source.readCount).toBe(1);
  });

  it('throws the API error a subscription is refused with, without polling', async () => {
    const { source, fail } = scriptedSource();
    const waiting = waitForStatus(source, 'nope', ['FINAL']);
    fail(new VerityClientError('INFERENCE_NOT_FOUND', 'no inference with id nope'));
    await expect(waiting).rejects.toMatchObject({ code: 'INFERENCE_NOT_FOUND' });
    expect(source.readCount).toBe(0);
  });

  it('throws WAIT_TIMEOUT with the last status once the timeout passes', async () => {
    jest.useFakeTimers();
    const { source, push } = scriptedSource();
    const waiting = waitForStatus(source, 'i-1', ['FINAL'], { timeoutMs: 5000 });
    const outcome = waiting.catch((error: unknown) => error);
    push(update('CHALLENGEABLE'));
    await jest.advanceTimersByTimeAsync(5000);
    expect(await outcome).toMatchObject({ code: 'WAIT_TIMEOUT', details: { lastStatus: 'CHALLENGEABLE' } });
    expect(source.unsubscribed).toBe(1);
  });

  it('polls only when asked not to subscribe, and times out polling too', async () => {
    jest.useFakeTimers();
    const { source } = scriptedSource([update('REQUESTED'), update('ASSIGNED'), update('ASSIGNED'), update('ASSIGNED')]);
    const outcome = waitForStatus(source, 'i-1', ['FINAL'], { subscribe: false, pollIntervalMs: 1000, timeoutMs: 2500 }).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(3000);
    expect(await outcome).toMatchObject({ code: 'WAIT_TIMEOUT', details: { lastStatus: 'ASSIGNED' } });
    // At 0, 1, 2 s and at the deadline (2.5 s), never after it.
    expect(source.readCount).toBe(4);
    expect(source.unsubscribed).toBe(0);
  });

  it('refuses a non-positive timeout or poll interval', async () => {
    const { source } = scriptedSource();
    await expect(waitForStatus(source, 'i-1', ['FINAL'], { timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
