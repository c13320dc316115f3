import { until } from '../../test/support/until';
import pino from 'pino';
import { sleep } from './backoff';
import type { BatchOutcome } from './job-runner';
import type {
  ClaimJobsInput,
  ClaimedJob,
  HeartbeatResult,
  ResultSubmission,
  SubmitResultsInput,
} from './worker-api-client';
import { WorkerLoop, type WorkerLoopApi, type WorkerLoopOptions } from './worker-loop';
import { WorkerError } from './worker.errors';

const ZERO = `0x${'00'.repeat(32)}` as const;

const jobs = (count: number, from = 0): ClaimedJob[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `job-${from + i}`,
    requestId: ZERO,
    modelId: 'm',
    modelCommitment: ZERO,
    inputCommitment: ZERO,
    inputFixed: [],
    leaseExpiresAt: '',
  }));

/** An in-memory worker API: a job queue, scripted failures, and a record of every call. */
class FakeApi implements WorkerLoopApi {
  queue: ClaimedJob[] = [];
  claimFailures = 0;
  submitFailures: WorkerError[] = [];
  lost = new Set<string>();
  claims = 0;
  heartbeats: string[][] = [];
  submitted: ResultSubmission[][] = [];

  async claimJobs(input: ClaimJobsInput): Promise<ClaimedJob[]> {
    this.claims++;
    if (this.claimFailures > 0) {
      this.claimFailures--;
      throw new WorkerError('API_UNREACHABLE', 'the API is down');
    }
    if (this.queue.length === 0) await sleep(20); // the long poll
    return this.queue.splice(0, input.maxJobs);
  }

  async heartbeat(jobIds: readonly string[]): Promise<HeartbeatResult> {
    this.heartbeats.push([...jobIds]);
    return {
      extended: jobIds.filter((id) => !this.lost.has(id)),
      lost: jobIds.filter((id) => this.lost.has(id)),
      leaseExpiresAt: null,
    };
  }

  async submitResults(input: SubmitResultsInput): Promise<string[]> {
    const failure = this.submitFailures.shift();
    if (failure) throw failure;
    if (input.results.some((r) => this.lost.has(r.jobId)))
      throw new WorkerError('JOB_NOT_HELD', 'a job is no longer leased to this worker');
    this.submitted.push(input.results);
    return input.results.map((r) => r.jobId);
  }
}

function fakeRunner(computeMs = 0): {
  run(jobs: readonly ClaimedJob[]): Promise<BatchOutcome>;
  batches: number;
} {
  const runner = {
    batches: 0,
    async run(batch: readonly ClaimedJob[]): Promise<BatchOutcome> {
      runner.batches++;
      await sleep(computeMs);
      const results = batch.map((j) => ({
        jobId: j.id,
        outputFixed: ['1'],
        outputCommitment: ZERO,
        traceCommitment: ZERO,
        signature: '0x00' as const,
      }));
      return { results, refused: [], stats: [{ modelId: 'm', jobs: batch.length, computeMs, signMs: 0 }] };
    },
  };
  return runner;
}

/** Waits, polling every 10 ms, until `condition` holds (10 s at most). */
const reached = (condition: () => boolean): Promise<true> =>
  until(condition.toString(), () => condition(), 10_000, 10);

/** A promise the test resolves: a batch computes until its gate is opened. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** A runner that holds each batch until `gate` is opened. */
function gatedRunner(held: { opened: Promise<void> }): ReturnType<typeof fakeRunner> {
  const inner = fakeRunner();
  const runner = {
    batches: 0,
    async run(batch: readonly ClaimedJob[]): Promise<BatchOutcome> {
      runner.batches++;
      await held.opened;
      return inner.run(batch);
    },
  };
  return runner;
}

/** Stops a loop running on fake timers: the claim in flight long-polls (20 ms) before it ends. */
async function stopOnFakeTimers(loop: WorkerLoop): Promise<void> {
  const stopped = loop.stop();
  await jest.advanceTimersByTimeAsync(20);
  await stopped;
}

const OPTIONS: WorkerLoopOptions = {
  maxBatch: 4,
  leaseSeconds: 30,
  computeDelayMs: 0,
  prefetch: true,
  backend: 'cpu',
};

describe('the worker loop', () => {
  const log = pino({ level: 'silent' });
  const register = async () => undefined;

  afterEach(() => jest.useRealTimers());

  it.each([true, false])('computes and submits every claimed batch once (prefetch %s)', async (prefetch) => {
    const api = new FakeApi();
    api.queue = jobs(10);
    const loop = new WorkerLoop(
      { client: api, runner: fakeRunner(5), log, register },
      { ...OPTIONS, prefetch },
    );
    void loop.start();
    await reached(() => api.submitted.flat().length === 10);
    await loop.stop();
    expect(api.submitted.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(new Set(api.submitted.flat().map((r) => r.jobId)).size).toBe(10);
    expect(loop.stats).toMatchObject({ batches: 3, submitted: 10, refused: 0 });
  });

  it.each([
    [true, 8, 2],
    [false, 8, 1],
    [true, 3, 1],
  ])(
    'with prefetch %s and %i queued jobs, has made %i claims while the first batch computes',
    async (prefetch, queued, claims) => {
      const api = new FakeApi();
      api.queue = jobs(queued);
      // The claim ahead, when there is one, is sent before the batch starts computing: the
      // claims counted as the first batch starts are the ones made while it computes.
      let claimsDuringCompute = 0;
      const runner = {
        async run(batch: readonly ClaimedJob[]) {
          claimsDuringCompute ||= api.claims;
          return fakeRunner().run(batch);
        },
      };
      const loop = new WorkerLoop({ client: api, runner, log, register }, { ...OPTIONS, prefetch });
      void loop.start();
      await reached(() => api.submitted.flat().length === queued);
      await loop.stop();
      expect(claimsDuringCompute).toBe(claims);
    },
  );

  it('keeps going through an API outage, backing off, and works once the API is back', async () => {
    jest.useFakeTimers();
    const api = new FakeApi();
    api.claimFailures = 3;
    api.queue = jobs(2);
    const loop = new WorkerLoop({ client: api, runner: fakeRunner(), log, register }, OPTIONS);
    void loop.start();
    // Three failed claims, each followed by a backoff: at most 250 + 500 + 1000 ms.
    for (const backoffMs of [250, 500, 1000]) {
      expect(api.submitted).toEqual([]);
      await jest.advanceTimersByTimeAsync(backoffMs);
    }
    expect(api.submitted.map((batch) => batch.map((r) => r.jobId))).toEqual([['job-0', 'job-1']]);
    expect(loop.stats.apiErrors).toBe(3);
    await stopOnFakeTimers(loop);
  });

  it('finishes and submits the batch in flight when stopped', async () => {
    const api = new FakeApi();
    api.queue = jobs(3);
    const computing = gate();
    const runner = gatedRunner(computing);
    const loop = new WorkerLoop({ client: api, runner, log, register }, OPTIONS);
    void loop.start();
    await reached(() => runner.batches === 1);
    const stopped = loop.stop();
    computing.open();
    await stopped;
    expect(api.submitted.flat().map((r) => r.jobId)).toEqual(['job-0', 'job-1', 'job-2']);
    // The one claim that brought the batch: none after stop() (nor ahead: the batch was not full).
    expect(api.claims).toBe(1);
  });

  it('sends heartbeats while a batch outlasts a third of its lease, and submits without the jobs it lost', async () => {
    jest.useFakeTimers();
    const api = new FakeApi();
    api.queue = jobs(3);
    const loop = new WorkerLoop(
      { client: api, runner: fakeRunner(), log, register },
      { ...OPTIONS, leaseSeconds: 3, computeDelayMs: 2_500 },
    );
    void loop.start();
    await jest.advanceTimersByTimeAsync(1_000); // a third of the lease: the first heartbeat
    expect(api.heartbeats).toEqual([['job-0', 'job-1', 'job-2']]);
    api.lost.add('job-1');
    await jest.advanceTimersByTimeAsync(1_000); // the second heartbeat reports job-1 lost
    expect(api.heartbeats).toHaveLength(2);
    expect(api.submitted).toEqual([]);
    await jest.advanceTimersByTimeAsync(500); // the compute delay is over: the batch is submitted
    expect(api.submitted.map((batch) => batch.map((r) => r.jobId))).toEqual([['job-0', 'job-2']]);
    expect(loop.stats.lost).toBe(1);
    await stopOnFakeTimers(loop);
  });

  it('retries a refused submission without the jobs whose lease is gone, and a transient failure as is', async () => {
    const api = new FakeApi();
    api.queue = jobs(3);
    api.submitFailures = [new WorkerError('INTERNAL_SERVER_ERROR', 'boom')];
    const computing = gate();
    const runner = gatedRunner(computing);
    const loop = new WorkerLoop({ client: api, runner, log, register }, OPTIONS);
    void loop.start();
    await reached(() => runner.batches === 1);
    api.lost.add('job-2'); // lost between the last heartbeat and the submission
    computing.open();
    await reached(() => api.submitted.length === 1);
    await loop.stop();
    expect(api.submitted[0].map((r) => r.jobId)).toEqual(['job-0', 'job-1']);
  });
});
