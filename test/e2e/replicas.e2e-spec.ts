/**
 * Scale-out (issue 14): two `verity serve --with-worker` processes share one PostgreSQL and one
 * chain. A subscriber connected to one replica follows a request made on the other to COMMITTED;
 * the chain duties (batch commits, reveal, finalize, the request watcher, the defender) run on one
 * replica only, the holder of the service account's lease in duty_leases; and when that replica is
 * killed (SIGKILL to its group: no clean release), the other takes the duties over within seconds
 * and commits what is requested next. Real processes, a real anvil mining on an interval.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil, type AnvilHandle } from '../../src/chain/anvil';
import { findFreePort } from '../../src/common/free-port';
import { collectEvents, graphqlRequest, subscriptionClient } from '../support/graphql-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { until } from '../support/until';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import { signalGroup, startServeProcess, type WorkerProcess } from '../support/worker-process';

const MODEL = join(__dirname, '..', 'fixtures', 'onnx-conformance', '2l_relu_fc');
const SERVICE_ACCOUNT = privateKeyToAccount(ANVIL_DEFAULT_PRIVATE_KEY).address.toLowerCase();
const REGISTER = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id status } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) { id status } }`;
const COMMITTED_OR_LATER = ['COMMITTED', 'CHALLENGEABLE', 'FINAL'];

interface Replica {
  process: WorkerProcess;
  graphqlUrl: string;
}

describe('two API replicas on one database', () => {
  let database: TestDatabase;
  let anvil: AnvilHandle;
  const replicas: Replica[] = [];
  const deployments = join(mkdtempSync(join(tmpdir(), 'verity-replicas-')), 'deployments');

  async function startReplica(name: string, workerKey: string): Promise<Replica> {
    const port = await findFreePort();
    const process = startServeProcess({
      VERITY_DATA_DIR: mkdtempSync(join(tmpdir(), `verity-${name}-`)),
      DATABASE_URL: database.url,
      RPC_URL: anvil.rpcUrl,
      CHAIN_ID: '31337',
      PRIVATE_KEY: ANVIL_DEFAULT_PRIVATE_KEY,
      WORKER_PRIVATE_KEY: workerKey,
      WORKER_NAME: name,
      WORKER_PROVIDER: 'cpu',
      DEPLOYMENTS_DIR: deployments,
      DEFENDER_MODE: 'in-process',
      PORT: String(port),
    });
    const replica = { process, graphqlUrl: `http://127.0.0.1:${port}/graphql` };
    replicas.push(replica);
    await until(
      `replica ${name} to answer`,
      async () => {
        if (process.child.exitCode !== null) throw new Error(`replica ${name} exited: ${process.output.join('')}`);
        // Any answer: /health says 503 while this replica's duties run elsewhere (it reports them).
        return (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined)) ? true : undefined;
      },
      180_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; its output: ${process.output.join('').slice(-4000)}`);
    });
    return replica;
  }

  async function lease(): Promise<{ holder: string; token: string } | undefined> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ holder: string; token: string }>(
        `SELECT holder, token::text AS token FROM duty_leases WHERE name = $1`,
        [`account:${SERVICE_ACCOUNT}`],
      );
      return rows[0];
    } catch {
      return undefined; // the table is created by the first replica's migrations
    } finally {
      await client.end();
    }
  }

  async function request(replica: Replica, modelId: string, input: number[]): Promise<string> {
    const answer = await graphqlRequest(replica.graphqlUrl, REQUEST, { input: { modelId, input, mode: 'OPTIMISTIC' } });
    expect(answer.errors).toBeUndefined();
    return answer.data.requestInference.id as string;
  }

  const statusOn = async (replica: Replica, id: string): Promise<string> =>
    (await graphqlRequest(replica.graphqlUrl, INFERENCE, { id })).data.inference.status as string;

  beforeAll(async () => {
    database = await createTestDatabase();
    anvil = await startAnvil({ blockTimeSeconds: 1 });
  }, 60_000);

  afterAll(async () => {
    for (const replica of replicas) await signalGroup(replica.process, 'SIGTERM').catch(() => undefined);
    await anvil?.stop();
    await database?.drop();
  });

  it('delivers across replicas, runs the chain duties once, and fails them over when their holder dies', async () => {
    const a = await startReplica('replica-a', ANVIL_WORKER_KEYS[0]);
    const b = await startReplica('replica-b', ANVIL_WORKER_KEYS[1]);
    const pidA = a.process.child.pid!;
    const held = await until('a replica to hold the service account', lease, 30_000);
    expect(held.holder).toContain(`:${pidA}:`);

    const { input_data: inputs } = JSON.parse(readFileSync(join(MODEL, 'input.json'), 'utf8')) as { input_data: number[][] };
    const registered = await graphqlRequest(a.graphqlUrl, REGISTER, {
      input: { name: '2l_relu_fc', onnxBase64: readFileSync(join(MODEL, 'network.onnx')).toString('base64') },
    });
    expect(registered.errors).toBeUndefined();
    const modelId = registered.data.registerModel.id as string;

    // Requested on A, followed on B: B's subscriber hears every change A's pipeline makes.
    type Event = { inferenceUpdated: { status: string } };
    const first = await request(a, modelId, inputs[0]);
    const client = subscriptionClient(b.graphqlUrl);
    try {
      const { events } = collectEvents<Event>(
        client,
        `subscription { inferenceUpdated(id: "${first}") { status } }`,
        100,
        (event) => COMMITTED_OR_LATER.includes(event.inferenceUpdated.status),
      );
      const statuses = (await events).map((event) => event.inferenceUpdated.status);
      expect(COMMITTED_OR_LATER).toContain(statuses.at(-1));
    } finally {
      await client.dispose();
    }
    // B never took the account while A lived: no send of B's could race A's for a nonce.
    expect(b.process.output.join('')).not.toMatch(/lease account:[^ ]+: held by this process/);

    // A dies without releasing anything; B takes the duties once the lease has expired.
    await signalGroup(a.process, 'SIGKILL');
    const killedAt = Date.now();
    const after = await Promise.all(inputs.slice(0, 3).map((input) => request(b, modelId, input)));
    const taken = await until('replica B to take the service account over', async () => {
      const row = await lease();
      return row && row.holder.includes(`:${b.process.child.pid}:`) ? row : undefined;
    }, 60_000);
    const failoverMs = Date.now() - killedAt;
    expect(BigInt(taken.token)).toBe(BigInt(held.token) + 1n);
    expect(b.process.output.join('')).toMatch(/lease account:[^ ]+: held by this process/);
    for (const id of after) {
      await until(`${id} to be committed by replica B`, async () => (COMMITTED_OR_LATER.includes(await statusOn(b, id)) ? true : undefined), 60_000);
    }
    process.stdout.write(`failover: replica B held the service account ${failoverMs} ms after replica A was killed\n`);
  }, 420_000);
});
