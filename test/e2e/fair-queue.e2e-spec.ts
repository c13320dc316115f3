/**
 * The fair queue (src/workers/fair-queue.ts, docs/service.md "A fair queue") against staked
 * workers that try to hold it: a greedy worker (claims the most it can, never submits, keeps
 * heartbeating) and a silent one (claims and lets its leases lapse), beside an honest `verity
 * worker` loop (startWorker, in this process). The API runs with short development clocks (2 s
 * leases, a 4 s lease lifetime, a cap of 4 held jobs), so time is the server's own and the tests
 * wait on outcomes with until(); the distinct-workers test moves a lease's clock in the database
 * instead. Each test starts from its own requests (beforeEach sets earlier ones aside).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { parseEther, type TypedDataDomain } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { WorkerRegistryAbi } from '../../src/chain/generated/contracts';
import { verityDomain } from '../../src/chain/typed-data';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { graphqlRequest, type GraphqlResult } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';
import { ANVIL_EXTRA_WORKER_KEYS, ANVIL_WORKER_KEYS, signCall, testWorker } from '../support/worker-auth';

const FIXTURES = join(__dirname, '..', 'fixtures', 'onnx-conformance', '1l_mlp');
const MAX_HELD_JOBS = 4;
const LEASE_LIFETIME_SECONDS = 4;
const LEASE_SECONDS = 2;
const QUEUE_ENV = {
  QUEUE_MAX_HELD_JOBS: String(MAX_HELD_JOBS),
  QUEUE_MAX_LEASE_LIFETIME_SECONDS: String(LEASE_LIFETIME_SECONDS),
  QUEUE_LAPSE_WINDOW_SECONDS: '600',
  QUEUE_THROTTLE_AFTER_LAPSES: '2',
  QUEUE_EXCLUDE_AFTER_LAPSES: '3',
  QUEUE_FAIL_AFTER_LAPSED_WORKERS: '3',
};
const COMPUTED_OR_LATER = new Set(['COMPUTED', 'COMMITTED', 'CHALLENGEABLE', 'FINAL']);

const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`;
const CLAIM = `mutation($input: ClaimJobsInput!, $auth: WorkerAuthInput!) { claimJobs(input: $input, auth: $auth) { id leaseExpiresAt } }`;
const HEARTBEAT = `mutation($input: HeartbeatInput!, $auth: WorkerAuthInput!) { heartbeat(input: $input, auth: $auth) { extended lost leaseExpiresAt } }`;
const REGISTER = `mutation($input: RegisterWorkerInput!, $auth: WorkerAuthInput!) { registerWorker(input: $input, auth: $auth) { address } }`;
const INFERENCES = `{ inferences(first: 100) { edges { node { id status worker attempts error { code } } } } }`;

interface ClaimedJob {
  id: string;
  leaseExpiresAt: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the fair queue under a greedy and a silent worker', () => {
  let app: TestApp;
  let domain: TypedDataDomain;
  let modelId: string;
  let inputLength: number;
  let database: DataSource;
  const [honestKey] = ANVIL_WORKER_KEYS;
  const [greedy, silent] = ANVIL_WORKER_KEYS.slice(1).map((key) => testWorker(key));
  const [greedy2, silent2, lapserA, lapserB, lapserC] = ANVIL_EXTRA_WORKER_KEYS.map((key) => testWorker(key));

  const gql = <T = any>(query: string, variables: Record<string, unknown> = {}): Promise<GraphqlResult<T>> =>
    graphqlRequest<T>(app.graphqlUrl, query, variables);
  const call = async (query: string, operation: string, worker: PrivateKeyAccount, input: unknown) =>
    gql(query, { input, auth: await signCall(domain, worker, operation, input) });
  const claim = (worker: PrivateKeyAccount, maxJobs = 256, leaseSeconds = LEASE_SECONDS) =>
    call(CLAIM, 'claimJobs', worker, { maxJobs, waitMs: 0, leaseSeconds });
  const claimed = async (worker: PrivateKeyAccount, maxJobs = 256): Promise<ClaimedJob[]> => {
    const result = await claim(worker, maxJobs);
    expect(result.errors).toBeUndefined();
    return result.data.claimJobs as ClaimedJob[];
  };
  const heartbeat = (worker: PrivateKeyAccount, jobIds: string[]) =>
    call(HEARTBEAT, 'heartbeat', worker, { jobIds });
  const sql = (query: string, params: unknown[] = []): Promise<any[]> => database.query(query, params);
  const sample = (seed: number) => Array.from({ length: inputLength }, (_, i) => (((i + seed) % 7) - 3) / 10);

  async function requestMany(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const result = await gql(REQUEST, { input: { modelId, input: sample(i), mode: 'OPTIMISTIC' } });
      expect(result.errors).toBeUndefined();
      ids.push(result.data.requestInference.id);
    }
    return ids;
  }

  async function stakeAndRegister(worker: PrivateKeyAccount): Promise<void> {
    const { publicClient, walletClient } = app.runtime.chain;
    const hash = await walletClient.writeContract({
      address: app.runtime.deployment.contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'register',
      value: parseEther('1'),
      account: worker,
    });
    await publicClient.waitForTransactionReceipt({ hash });
    const registered = await call(REGISTER, 'registerWorker', worker, { name: 'adversary', backend: 'cpu' });
    expect(registered.errors).toBeUndefined();
  }

  /** Waits until the reaper has returned every lease among `ids` (REQUESTED or FAILED again). */
  const untilReaped = (ids: string[], what: string) =>
    until(
      what,
      async () => {
        const rows = await sql(`SELECT status FROM inferences WHERE id = ANY($1::uuid[])`, [ids]);
        return rows.every((row) => row.status !== 'ASSIGNED') ? rows : undefined;
      },
      20_000,
      200,
    );

  beforeAll(async () => {
    app = await startTestApp(QUEUE_ENV);
    domain = verityDomain(app.runtime.chain.chain.id, app.runtime.deployment.contracts.Settlement);
    database = app.app.get(DataSource);
    const calibration = (
      JSON.parse(readFileSync(join(FIXTURES, 'input.json'), 'utf8')) as { input_data: number[][] }
    ).input_data;
    const registered = await gql(
      `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id inputShape } }`,
      {
        input: {
          name: 'mlp',
          onnxBase64: readFileSync(join(FIXTURES, 'network.onnx')).toString('base64'),
          calibration,
        },
      },
    );
    expect(registered.errors).toBeUndefined();
    modelId = registered.data.registerModel.id;
    inputLength = (registered.data.registerModel.inputShape as number[]).reduce((a, v) => a * v, 1);
    for (const worker of [greedy, silent, greedy2, silent2, lapserA, lapserB, lapserC])
      await stakeAndRegister(worker);
  }, 120_000);

  /** Each test starts from its own requests: whatever an earlier one left queued is set aside. */
  beforeEach(async () => {
    await sql(
      `UPDATE inferences SET status = 'FAILED', error_code = 'SET_ASIDE', worker_address = NULL, lease_expires_at = NULL
        WHERE status IN ('REQUESTED', 'ASSIGNED')`,
    );
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('lets an honest worker complete every request beside a greedy and a silent worker', async () => {
    const ids = await requestMany(16);
    // Both adversaries hold the most they may before the honest worker starts.
    const greedyHeld = new Set((await claimed(greedy2)).map((job) => job.id));
    let greedyMaxHeld = greedyHeld.size;
    let silentMaxClaim = (await claimed(silent2)).length;
    expect(greedyMaxHeld + silentMaxClaim).toBeGreaterThan(0);

    let stopped = false;
    const greedyLoop = (async () => {
      while (!stopped) {
        const result = await claim(greedy2);
        for (const job of (result.data?.claimJobs ?? []) as ClaimedJob[]) greedyHeld.add(job.id);
        greedyMaxHeld = Math.max(greedyMaxHeld, greedyHeld.size);
        if (greedyHeld.size > 0) {
          const beat = await heartbeat(greedy2, [...greedyHeld]);
          for (const id of (beat.data?.heartbeat.lost ?? []) as string[]) greedyHeld.delete(id);
        }
        await pause(500);
      }
    })();
    const silentLoop = (async () => {
      while (!stopped) {
        const result = await claim(silent2);
        silentMaxClaim = Math.max(silentMaxClaim, ((result.data?.claimJobs ?? []) as ClaimedJob[]).length);
        await pause(500);
      }
    })();

    const rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url;
    const honest: WorkerHandle = await startWorker({
      apiUrl: app.graphqlUrl,
      privateKey: honestKey,
      stake: true,
      rpcUrl,
      provider: 'cpu',
      maxBatch: 2,
      leaseSeconds: 3,
      log: pino({ level: process.env.FAIR_QUEUE_DEBUG ? 'debug' : 'silent' }),
    });
    try {
      const done = await until(
        'every request to be computed by the honest worker',
        async () => {
          const nodes = (await gql(INFERENCES)).data.inferences.edges.map((edge: any) => edge.node);
          const mine = nodes.filter((node: any) => ids.includes(node.id));
          return mine.length === ids.length && mine.every((node: any) => COMPUTED_OR_LATER.has(node.status))
            ? mine
            : undefined;
        },
        90_000,
        300,
      );
      for (const node of done) expect(node.worker).toBe(honest.address);
    } finally {
      stopped = true;
      await Promise.all([greedyLoop, silentLoop, honest.stop()]);
    }
    expect(greedyMaxHeld).toBeLessThanOrEqual(MAX_HELD_JOBS);
    expect(silentMaxClaim).toBeLessThanOrEqual(MAX_HELD_JOBS);
    expect(honest.stats().submitted).toBe(ids.length);
  });

  it('fails a request only after the leases of three distinct workers lapsed, never for one worker lapsing it again', async () => {
    const [id] = await requestMany(1);
    /** `worker` claims the request, then its lease's clock is moved past the end. */
    const lapse = async (worker: PrivateKeyAccount) => {
      expect((await claimed(worker, 1)).map((job) => job.id)).toEqual([id]);
      await sql(`UPDATE inferences SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
      const [row] = await untilReaped([id], `the lapse of ${worker.address} to be reaped`);
      return row.status as string;
    };
    for (const worker of [lapserA, lapserA, lapserA, lapserB, lapserB, lapserB])
      expect(await lapse(worker)).toBe('REQUESTED');
    expect(await lapse(lapserC)).toBe('FAILED');
    const [row] = await sql(`SELECT attempts, error_code, lapsed_workers FROM inferences WHERE id = $1`, [
      id,
    ]);
    expect(row.attempts).toBe(7);
    expect(row.error_code).toBe('ATTEMPTS_EXHAUSTED');
    expect(row.lapsed_workers.map((w: string) => w.trim())).toEqual(
      [lapserA, lapserB, lapserC].map((w) => w.address.toLowerCase()),
    );
  });

  it('caps the jobs a greedy worker holds across its claims, and ends its leases at their lifetime however often it heartbeats', async () => {
    await requestMany(6);
    const first = await claimed(greedy, 3);
    const second = await claimed(greedy, 3);
    expect(first).toHaveLength(3);
    expect(second).toHaveLength(MAX_HELD_JOBS - 3);
    expect(await claimed(greedy, 256)).toEqual([]);
    const held = [...first, ...second].map((job) => job.id);
    const [{ latest }] = await sql(
      `SELECT max(leased_at) AS latest FROM inferences WHERE id = ANY($1::uuid[])`,
      [held],
    );
    const lifetimeEnd = (latest as Date).getTime() + LEASE_LIFETIME_SECONDS * 1000;

    const expiries: number[] = [];
    const startedAt = Date.now();
    await until(
      "the greedy worker's leases to end at their lifetime",
      async () => {
        const result = await heartbeat(greedy, held);
        expect(result.errors).toBeUndefined();
        const { lost, leaseExpiresAt } = result.data.heartbeat;
        if (leaseExpiresAt) expiries.push(Date.parse(leaseExpiresAt as string));
        return lost.length === held.length ? true : undefined;
      },
      20_000,
      500,
    );
    // The heartbeats did extend the 2 s leases, but never past the lifetime from the claim.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual((LEASE_LIFETIME_SECONDS - 1) * 1000);
    for (const expiry of expiries) expect(expiry).toBeLessThanOrEqual(lifetimeEnd);

    await untilReaped(held, "the greedy worker's lapsed jobs to return to the queue");
    const lapses = await sql(`SELECT jobs FROM lease_lapses WHERE worker = $1 ORDER BY jobs DESC`, [
      greedy.address,
    ]);
    expect(lapses.map((row) => row.jobs)).toEqual([3, 1]);
  });

  it('gives a silent worker that lets its leases lapse fewer jobs, then refuses it with WORKER_EXCLUDED', async () => {
    const queued = await requestMany(6);
    const sizes: number[] = [];
    const refusal = await until(
      'the silent worker to be excluded',
      async () => {
        const result = await claim(silent);
        if (result.errors) return result.errors[0];
        const jobs = result.data.claimJobs as ClaimedJob[];
        if (jobs.length > 0) sizes.push(jobs.length);
        return undefined;
      },
      30_000,
      200,
    );
    // 4 (no lapse), 4 (one: an honest worker's restart), 2 (throttled), then excluded.
    expect(sizes).toEqual([MAX_HELD_JOBS, MAX_HELD_JOBS, MAX_HELD_JOBS / 2]);
    expect(refusal.extensions?.code).toBe('WORKER_EXCLUDED');
    expect(refusal.extensions?.details).toMatchObject({ lapses: 3 });
    // Lapsed by one worker, up to three times each: none failed.
    const rows = await sql(`SELECT status FROM inferences WHERE id = ANY($1::uuid[])`, [queued]);
    expect(rows.map((row) => row.status)).toEqual(queued.map(() => 'REQUESTED'));
  });
});
