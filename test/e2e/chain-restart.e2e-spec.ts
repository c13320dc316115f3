/**
 * F1 of issue 18 ("Hold under attack"), with real processes: `verity serve --with-worker` as
 * `npm start` runs it (embedded anvil, in-process worker) in its own process group, stopped with
 * SIGTERM to the group (Ctrl-C) or killed with SIGKILL to the group mid-batch, then started again
 * on the same data dir. Every accepted request ends FINAL with its batch root on the current chain,
 * and none is FINAL without it. The window is the development deployment's; the test moves chain
 * time with evm_increaseTime (this is not a liveness test). The database is the run's PostgreSQL
 * (what is under test is the chain, not the embedded database).
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, createTestClient, http, type Address, type Hex } from 'viem';
import { anvil } from 'viem/chains';
import { SettlementAbi } from '../../src/chain/generated/contracts';
import { verifyResultProof } from '../../src/chain/result-merkle';
import { findFreePort } from '../../src/common/free-port';
import { loadMnistHoldout } from '../../src/engine/mnist/mnist-data';
import { graphqlRequest } from '../support/graphql-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { until } from '../support/until';
import { signalGroup, startServeProcess, type WorkerProcess } from '../support/worker-process';

const MNIST = join(__dirname, '..', 'fixtures', 'mnist');
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`;
const INFERENCES = `{ inferences(first: 100) { edges { node { id status leafHash leafProof batch { root chainBatchId } } } } }`;

interface Row {
  id: string;
  status: string;
  leafHash: Hex | null;
  leafProof: Hex[] | null;
  batch: { root: Hex; chainBatchId: string | null } | null;
}

/** One `npm start` on a data dir: its process group, its API and its chain. */
interface Service {
  process: WorkerProcess;
  graphqlUrl: string;
  rpcUrl: string;
}

describe('the embedded default across a restart', () => {
  const digits = loadMnistHoldout().inputs;
  let database: TestDatabase;
  let running: Service | undefined;

  async function start(dataDir: string, port: number): Promise<Service> {
    const process = startServeProcess({
      VERITY_DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      PORT: String(port),
      LOG_LEVEL: 'info',
      WORKER_PROVIDER: 'cpu',
    });
    running = { process, graphqlUrl: `http://127.0.0.1:${port}/graphql`, rpcUrl: '' };
    const rpcUrl = await until(
      'the service to start its anvil',
      async () => {
        if (process.child.exitCode !== null) throw new Error(`serve exited: ${process.output.join('')}`);
        return /"rpcUrl":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(process.output.join(''))?.[1];
      },
      120_000,
    );
    await until(
      'the API to answer',
      async () =>
        (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok ? true : undefined,
      120_000,
    );
    running.rpcUrl = rpcUrl;
    return running;
  }

  async function registerModel(service: Service): Promise<string> {
    const calibration = (
      JSON.parse(readFileSync(join(MNIST, 'calibration.json'), 'utf8')) as { input_data: number[][] }
    ).input_data;
    const result = await graphqlRequest(service.graphqlUrl, REGISTER_MODEL, {
      input: {
        name: 'mnist-mlp',
        onnxBase64: readFileSync(join(MNIST, 'mnist-mlp.onnx')).toString('base64'),
        calibration,
      },
    });
    expect(result.errors).toBeUndefined();
    return result.data.registerModel.id as string;
  }

  async function request(service: Service, modelId: string, digit: number[]): Promise<string> {
    const result = await graphqlRequest(service.graphqlUrl, REQUEST, {
      input: { modelId, input: digit, mode: 'OPTIMISTIC' },
    });
    expect(result.errors).toBeUndefined();
    return result.data.requestInference.id as string;
  }

  async function rows(service: Service, ids: readonly string[]): Promise<Row[]> {
    const result = await graphqlRequest(service.graphqlUrl, INFERENCES);
    expect(result.errors).toBeUndefined();
    const all = (result.data.inferences.edges as { node: Row }[]).map((edge) => edge.node);
    return ids.map((id) => all.find((row) => row.id === id)!);
  }

  /** Whether the service's current chain holds, under the row's batch id, the root its leaf proof leads to. */
  async function rootOnChain(service: Service, dataDir: string, row: Row): Promise<boolean> {
    if (!row.batch?.chainBatchId || !row.leafHash || !row.leafProof) return false;
    const settlement = (
      JSON.parse(readFileSync(join(dataDir, 'deployments', '31337.json'), 'utf8')) as {
        contracts: { Settlement: Address };
      }
    ).contracts.Settlement;
    const client = createPublicClient({ chain: anvil, transport: http(service.rpcUrl) });
    const [root] = await client.readContract({
      address: settlement,
      abi: SettlementAbi,
      functionName: 'batchRootAndWindow',
      args: [BigInt(row.batch.chainBatchId)],
    });
    return verifyResultProof(row.leafHash, row.leafProof, root);
  }

  /**
   * Moves chain time past the window whenever every unsettled request waits in its window, until
   * all are FINAL; then checks each FINAL against the chain.
   */
  async function settleAll(service: Service, dataDir: string, ids: readonly string[]): Promise<Row[]> {
    const testClient = createTestClient({ chain: anvil, mode: 'anvil', transport: http(service.rpcUrl) });
    const final = await until(
      'every accepted request to be FINAL',
      async () => {
        const now = await rows(service, ids);
        if (now.every((row) => row.status === 'FINAL')) return now;
        if (now.every((row) => row.status === 'FINAL' || row.status === 'CHALLENGEABLE')) {
          await testClient.increaseTime({ seconds: 601 });
          await testClient.mine({ blocks: 1 });
        }
        return undefined;
      },
      180_000,
      1_000,
    );
    for (const row of final)
      expect([row.id, await rootOnChain(service, dataDir, row)]).toEqual([row.id, true]);
    return final;
  }

  // One database and one data dir per test, as a new user's checkout has.
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    if (running) await signalGroup(running.process, 'SIGKILL');
    running = undefined;
    await database?.drop();
  });

  it('keeps every commitment across Ctrl-C and a restart, and finalizes each with its root on the chain', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'verity-restart-'));
    const port = await findFreePort();
    let service = await start(dataDir, port);
    const modelId = await registerModel(service);
    const ids = [await request(service, modelId, digits[0]), await request(service, modelId, digits[1])];
    await until('both requests to be committed', async () =>
      (await rows(service, ids)).every((row) => row.status === 'CHALLENGEABLE') ? true : undefined,
    );

    await signalGroup(service.process, 'SIGTERM');
    service = await start(dataDir, port);
    for (const row of await rows(service, ids)) expect(await rootOnChain(service, dataDir, row)).toBe(true);
    await settleAll(service, dataDir, ids);
    expect(service.process.output.join('')).not.toMatch(/CHAIN CHANGED/);
  }, 400_000);

  it('finalizes every accepted request with its root on the chain after kill -9 of the whole group mid-batch', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'verity-kill-'));
    const port = await findFreePort();
    let service = await start(dataDir, port);
    const modelId = await registerModel(service);
    // A first batch committed (CHALLENGEABLE), then a second wave killed as soon as it is computed:
    // its batch is being formed, sent or confirmed (and no lease is cut off, so nothing waits for
    // one to expire).
    const committed = await Promise.all(digits.slice(2, 4).map((digit) => request(service, modelId, digit)));
    await until('the first requests to be committed', async () =>
      (await rows(service, committed)).every((row) => row.status === 'CHALLENGEABLE') ? true : undefined,
    );
    const inFlight = await Promise.all(digits.slice(4, 7).map((digit) => request(service, modelId, digit)));
    const ids = [...committed, ...inFlight];
    await until(
      'every request to be computed',
      async () =>
        (await rows(service, inFlight)).every((row) => !['REQUESTED', 'ASSIGNED'].includes(row.status))
          ? true
          : undefined,
      120_000,
      100,
    );
    await signalGroup(service.process, 'SIGKILL');

    service = await start(dataDir, port);
    await settleAll(service, dataDir, ids);
  }, 400_000);
});
