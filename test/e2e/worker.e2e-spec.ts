/**
 * The real `verity worker` processes against a running API: two independent workers (anvil
 * accounts #1 and #2) stake themselves, register, pull the requested MNIST inferences over
 * GraphQL/HTTP, and every inference reaches COMPUTED or later with the engine's exact output, the
 * trace commitment of the evaluator's trace, and one of the two workers as its worker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { WorkerRegistryAbi } from '../../src/chain/generated/contracts';
import { commitTensor, commitTrace, evaluateFixed, type QuantizedModel } from '../../src/engine';
import { loadMnistHoldout } from '../../src/engine/mnist/mnist-data';
import { graphqlRequest } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from '../support/worker-process';

const ROOT = join(__dirname, '..', '..');
const MNIST = join(ROOT, 'test', 'fixtures', 'mnist');
const REQUESTS = 24;
const SETTLED_OR_LATER = new Set(['COMPUTED', 'COMMITTED', 'PROVING', 'CHALLENGEABLE', 'FINAL']);
const WAIT_FOR_RESULTS_MS = 150_000;

const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id commitment quantizedJson } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id status } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) { id status worker inputFixed outputFixed outputCommitment traceCommitment } }`;

describe('verity worker processes against the API', () => {
  let app: TestApp;
  let model: QuantizedModel;
  let modelCommitment: string;
  const inferenceIds: string[] = [];
  const workers: WorkerProcess[] = [];
  const keys = ANVIL_WORKER_KEYS.slice(0, 2);
  const addresses = keys.map((key) => privateKeyToAccount(key).address);
  const gql = (query: string, variables: Record<string, unknown>) =>
    graphqlRequest(app.graphqlUrl, query, variables);
  const logsOf = () => workers.map((w, i) => `--- worker ${i} ---\n${w.output.join('')}`).join('\n');

  beforeAll(async () => {
    app = await startTestApp();
    const calibration = (
      JSON.parse(readFileSync(join(MNIST, 'calibration.json'), 'utf8')) as { input_data: number[][] }
    ).input_data;
    const registered = await gql(REGISTER_MODEL, {
      input: {
        name: 'mnist-mlp',
        onnxBase64: readFileSync(join(MNIST, 'mnist-mlp.onnx')).toString('base64'),
        calibration,
      },
    });
    expect(registered.errors).toBeUndefined();
    model = JSON.parse(registered.data.registerModel.quantizedJson) as QuantizedModel;
    modelCommitment = registered.data.registerModel.commitment;
    for (const input of loadMnistHoldout().inputs.slice(0, REQUESTS)) {
      const requested = await gql(REQUEST, {
        input: { modelId: registered.data.registerModel.id, input, mode: 'OPTIMISTIC' },
      });
      expect(requested.errors).toBeUndefined();
      inferenceIds.push(requested.data.requestInference.id);
    }
  });

  afterAll(async () => {
    await Promise.all(workers.map(stopWorkerProcess));
    await app?.stop();
  });

  it('stakes, registers and computes every requested inference, each with the exact output and trace commitment', async () => {
    const rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url;
    if (!rpcUrl) throw new Error('the test app chain has no HTTP RPC URL');
    keys.forEach((key, i) =>
      workers.push(
        startWorkerProcess({
          key,
          name: `e2e-worker-${i}`,
          apiUrl: app.graphqlUrl,
          rpcUrl,
          args: ['--max-batch', '4', '--lease-seconds', '15'],
        }),
      ),
    );

    let inferences: any[] = [];
    const settled = async () => {
      inferences = await Promise.all(
        inferenceIds.map(async (id) => (await gql(INFERENCE, { id })).data?.inference),
      );
      if (inferences.every((inf) => inf && SETTLED_OR_LATER.has(inf.status))) return true;
      if (workers.some((w) => w.child.exitCode !== null)) throw new Error('a worker exited');
      return false;
    };
    await until('every inference computed', settled, WAIT_FOR_RESULTS_MS, 500).catch((error: Error) => {
      const statuses = inferences.map((inf) => inf?.status).join(', ');
      throw new Error(`inferences not computed (${statuses}): ${error.message}\n${logsOf()}`);
    });

    for (const inference of inferences) {
      const expected = evaluateFixed(model, Float64Array.from(inference.inputFixed.map(Number)));
      expect(inference.outputFixed).toEqual(expected.outputFixed.map(String));
      expect(inference.outputCommitment).toBe(commitTensor(expected.outputFixed));
      expect(inference.traceCommitment).toBe(commitTrace(expected.inputFixed, expected.trace.map((t) => t.values)));
      expect(addresses).toContain(getAddress(inference.worker));
    }

    const { publicClient } = app.runtime.chain;
    for (const address of addresses) {
      const active = await publicClient.readContract({
        address: app.runtime.deployment.contracts.WorkerRegistry,
        abi: WorkerRegistryAbi,
        functionName: 'isActive',
        args: [address],
      });
      expect(active).toBe(true);
    }
    const logs = logsOf();
    expect(logs).toMatch(/onnxruntime provider: cpu/);
    expect(logs).toMatch(/worker registered/);
    expect(logs).toContain(modelCommitment);
  });

  it('refuses to start a worker whose key is not staked, with a clear error', async () => {
    const rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url ?? '';
    const unstaked = startWorkerProcess({
      key: ANVIL_WORKER_KEYS[2],
      name: 'unstaked',
      apiUrl: app.graphqlUrl,
      rpcUrl,
      stake: false,
    });
    const code = await unstaked.exited;
    expect(code).toBe(1);
    expect(unstaked.output.join('')).toMatch(/WORKER_NOT_STAKED/);
  });

  it('stops both workers gracefully on SIGTERM', async () => {
    const codes = await Promise.all(workers.map(stopWorkerProcess));
    expect(codes).toEqual([0, 0]);
    expect(logsOf()).toMatch(/worker stopped/);
  });
});
