/**
 * The whole flow as its users see it. A worker is killed mid-job and its jobs are finished by
 * others; a dapp requests MNIST inferences over HTTP and follows each over a graphql-ws
 * subscription to COMMITTED while two `verity worker` processes compute them; a contract
 * requests on-chain and is called back only once the result is final.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestClient, getAddress, http, type Address, type Hex } from 'viem';
import { anvil } from 'viem/chains';
import { privateKeyToAccount } from 'viem/accounts';
import {
  ExampleConsumerAbi,
  ExampleConsumerBytecode,
  SettlementAbi,
} from '../../src/chain/generated/contracts';
import { createVerityClient } from '../../src/client';
import { quantizeInput, type QuantizedModel } from '../../src/engine';
import { loadMnistHoldout } from '../../src/engine/mnist/mnist-data';
import { collectEvents, graphqlRequest, subscriptionClient } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { until } from '../support/until';

const MNIST = join(__dirname, '..', 'fixtures', 'mnist');
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id commitment quantizedJson } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id status } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) { id status worker attempts outputFixed challengeEndsAt finalizeTx revealTx batch { root chainBatchId txHash } } }`;
const BY_REQUEST = `query($origin: InferenceOrigin) { inferences(first: 100, origin: $origin) { edges { node { id requestId status } } } }`;

describe('the dapp flow end to end', () => {
  let app: TestApp;
  let rpcUrl: string;
  let modelId: string;
  let modelCommitment: Hex;
  let model: QuantizedModel;
  const digits = loadMnistHoldout().inputs;
  const workers: WorkerProcess[] = [];
  const gql = (query: string, variables: Record<string, unknown> = {}) =>
    graphqlRequest(app.graphqlUrl, query, variables);
  const request = async (input: number[]) => {
    const result = await gql(REQUEST, { input: { modelId, input, mode: 'OPTIMISTIC' } });
    expect(result.errors).toBeUndefined();
    return result.data.requestInference.id as string;
  };
  const inference = async (id: string) => (await gql(INFERENCE, { id })).data.inference;

  beforeAll(async () => {
    app = await startTestApp();
    rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url ?? '';
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
    modelId = registered.data.registerModel.id;
    modelCommitment = registered.data.registerModel.commitment;
    model = JSON.parse(registered.data.registerModel.quantizedJson) as QuantizedModel;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopWorkerProcess));
    await app?.stop();
  });

  it('finishes the jobs of a worker killed mid-job once its lease expires, with another worker', async () => {
    const doomed = startWorkerProcess({
      key: ANVIL_WORKER_KEYS[2],
      name: 'doomed',
      apiUrl: app.graphqlUrl,
      rpcUrl,
      args: ['--lease-seconds', '3', '--compute-delay-ms', '600000', '--max-batch', '4'],
    });
    const ids = [await request(digits[0]), await request(digits[1])];
    const doomedAddress = privateKeyToAccount(ANVIL_WORKER_KEYS[2]).address;
    await until('the doomed worker to hold both jobs', async () => {
      const rows = await Promise.all(ids.map(inference));
      return rows.every((row) => row.status === 'ASSIGNED' && getAddress(row.worker) === doomedAddress)
        ? true
        : undefined;
    });
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    for (const [i, key] of ANVIL_WORKER_KEYS.slice(0, 2).entries()) {
      workers.push(
        startWorkerProcess({
          key,
          name: `worker-${i}`,
          apiUrl: app.graphqlUrl,
          rpcUrl,
          args: ['--max-batch', '16'],
        }),
      );
    }
    const finished = await until('the jobs to be computed by a live worker', async () => {
      const rows = await Promise.all(ids.map(inference));
      return rows.every((row) => row.outputFixed !== null) ? rows : undefined;
    });
    for (const row of finished) {
      expect(getAddress(row.worker)).not.toBe(doomedAddress);
      expect(row.attempts).toBe(2);
    }
  }, 180_000);

  it('follows MNIST inferences by subscription from the request to COMMITTED, with two workers', async () => {
    const client = subscriptionClient(app.graphqlUrl);
    try {
      const ids = await Promise.all(digits.slice(2, 10).map(request));
      const followed = ids.map((id) =>
        collectEvents<{
          inferenceUpdated: { status: string; batch: { root: string; chainBatchId: string } | null };
        }>(
          client,
          `subscription { inferenceUpdated(id: "${id}") { status batch { root chainBatchId } } }`,
          Number.POSITIVE_INFINITY,
          (event) => ['COMMITTED', 'CHALLENGEABLE', 'FINAL'].includes(event.inferenceUpdated.status),
        ),
      );
      const histories = await Promise.all(followed.map((f) => f.events));
      for (const history of histories) {
        const statuses = history.map((event) => event.inferenceUpdated.status);
        const order = ['REQUESTED', 'ASSIGNED', 'COMPUTED', 'COMMITTED', 'CHALLENGEABLE'];
        const ranks = statuses.map((status) => order.indexOf(status));
        expect(ranks.every((rank, i) => rank >= 0 && (i === 0 || rank >= ranks[i - 1]))).toBe(true);
        const last = history[history.length - 1].inferenceUpdated;
        expect(last.batch).not.toBeNull();
        const onChain = await app.runtime.chain.publicClient.readContract({
          address: app.runtime.deployment.contracts.Settlement,
          abi: SettlementAbi,
          functionName: 'batchOf',
          args: [BigInt(last.batch!.chainBatchId)],
        });
        expect(onChain.root).toBe(last.batch!.root);
      }
      const workersUsed = new Set((await Promise.all(ids.map(inference))).map((row) => row.worker));
      expect(workersUsed.size).toBeGreaterThanOrEqual(1);
    } finally {
      await client.dispose();
    }
  }, 180_000);

  it('calls a contract back with the result only once the result is final', async () => {
    const { publicClient, walletClient, account } = app.runtime.chain;
    await until('the model to be registered on-chain', async () => {
      const models = await gql(`query($id: ID!) { model(id: $id) { chainStatus } }`, { id: modelId });
      return models.data.model.chainStatus === 'REGISTERED' ? true : undefined;
    });
    const deployHash = await walletClient.deployContract({
      abi: ExampleConsumerAbi,
      bytecode: ExampleConsumerBytecode,
      args: [app.runtime.deployment.contracts.Settlement],
    });
    const consumer = (await publicClient.waitForTransactionReceipt({ hash: deployHash }))
      .contractAddress as Address;
    const input = Array.from(quantizeInput(model, digits[10]), (v) => BigInt(v));
    const { result: requestId, request: ask } = await publicClient.simulateContract({
      address: consumer,
      abi: ExampleConsumerAbi,
      functionName: 'ask',
      args: [modelCommitment, input, 1_000_000],
      // The fee covers the service's gas for the request and the callback limit (requiredFee).
      value: await publicClient.readContract({
        address: app.runtime.deployment.contracts.Settlement,
        abi: SettlementAbi,
        functionName: 'requiredFee',
        args: [modelCommitment, 1_000_000],
      }),
      account,
    });
    await publicClient.waitForTransactionReceipt({ hash: await walletClient.writeContract(ask) });

    const id = await until('the service to pick the on-chain request up', async () => {
      const page = await gql(BY_REQUEST, { origin: 'CHAIN' });
      return page.data.inferences.edges.map((e: any) => e.node).find((n: any) => n.requestId === requestId)
        ?.id as string | undefined;
    });
    const revealed = await until('the result to be revealed on-chain', async () => {
      const row = await inference(id);
      return row.status === 'CHALLENGEABLE' ? row : undefined;
    });
    expect(revealed.revealTx).toMatch(/^0x[0-9a-f]{64}$/);
    const answeredEarly = await publicClient.readContract({
      address: consumer,
      abi: ExampleConsumerAbi,
      functionName: 'answered',
      args: [requestId],
    });
    expect(answeredEarly).toBe(false);

    const testClient = createTestClient({ chain: anvil, mode: 'anvil', transport: http(rpcUrl) });
    const window = await publicClient.readContract({
      address: app.runtime.deployment.contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'challengeWindow',
    });
    await testClient.increaseTime({ seconds: Number(window) + 1 });
    await testClient.mine({ blocks: 1 });

    const final = await until('the result to be final', async () => {
      const row = await inference(id);
      return row.status === 'FINAL' ? row : undefined;
    });
    expect(final.finalizeTx).toMatch(/^0x[0-9a-f]{64}$/);
    const answered = await publicClient.readContract({
      address: consumer,
      abi: ExampleConsumerAbi,
      functionName: 'answered',
      args: [requestId],
    });
    expect(answered).toBe(true);
    const stored = await publicClient.readContract({
      address: consumer,
      abi: ExampleConsumerAbi,
      functionName: 'outputOf',
      args: [requestId],
    });
    expect(stored.map(String)).toEqual(final.outputFixed);

    // The typed client finds the same on-chain: the leaf checks and Settlement's own record of the
    // request (FINAL_ON_CHAIN), looked up by the request id the contract got.
    const verity = createVerityClient({ url: app.graphqlUrl, publicClient, settlement: app.runtime.deployment.contracts.Settlement });
    try {
      const report = await verity.verifyResult(await verity.getInference(requestId));
      expect(report.checks.at(-1)).toMatchObject({ name: 'FINAL_ON_CHAIN', ok: true });
      expect(report.failed).toEqual([]);
    } finally {
      await verity.close();
    }
  }, 180_000);
});
