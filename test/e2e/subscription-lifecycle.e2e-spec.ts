/**
 * A dapp following one optimistic inference over a graphql-ws subscription sees every status it
 * enters, in order: REQUESTED, ASSIGNED (a worker claims it), COMPUTED (the worker submits),
 * COMMITTED (its batch root is mined; an API result leaves it in the same transaction, so no
 * reader of the table ever sees it), CHALLENGEABLE, and FINAL once the challenge window is over;
 * GET /metrics then shows the batch the pipeline committed on the way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { createTestClient, http } from 'viem';
import { anvil } from 'viem/chains';
import { SettlementAbi } from '../../src/chain/generated/contracts';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { graphqlRequest, subscriptionClient } from '../support/graphql-client';
import { scrapeMetrics } from '../support/prometheus';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';

const MODEL = join(__dirname, '..', 'fixtures', 'onnx-conformance', '1l_linear', 'network.onnx');
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`;

interface Update {
  status: string;
  worker: string | null;
  outputFixed: string[] | null;
  batch: { chainBatchId: string | null } | null;
  challengeEndsAt: string | null;
}

describe('an inferenceUpdated subscription', () => {
  let app: TestApp;
  let worker: WorkerHandle | undefined;

  beforeAll(async () => {
    app = await startTestApp();
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await app?.stop();
  });

  it('delivers every status of an optimistic inference, COMMITTED included, from REQUESTED to FINAL', async () => {
    const registered = await graphqlRequest(app.graphqlUrl, REGISTER_MODEL, {
      input: { name: 'linear', onnxBase64: readFileSync(MODEL).toString('base64') },
    });
    expect(registered.errors).toBeUndefined();
    const requested = await graphqlRequest(app.graphqlUrl, REQUEST, {
      input: { modelId: registered.data.registerModel.id, input: [0.25], mode: 'OPTIMISTIC' },
    });
    expect(requested.errors).toBeUndefined();
    const id = requested.data.requestInference.id as string;

    const client = subscriptionClient(app.graphqlUrl);
    const updates: Update[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      client.subscribe<{ inferenceUpdated: Update }>(
        { query: `subscription { inferenceUpdated(id: "${id}") { status worker outputFixed batch { chainBatchId } challengeEndsAt } }` },
        {
          next: (value) => (value.errors ? reject(new Error(JSON.stringify(value.errors))) : updates.push(value.data!.inferenceUpdated)),
          error: reject,
          complete: resolve,
        },
      );
    });
    try {
      await until('the subscription to show the inference', () => updates.length > 0, 30_000, 50);
      const rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url;
      // the delay keeps ASSIGNED for half a second: time for a subscriber to read it
      worker = await startWorker({
        apiUrl: app.graphqlUrl,
        privateKey: ANVIL_WORKER_KEYS[0],
        stake: true,
        rpcUrl,
        provider: 'cpu',
        computeDelayMs: 500,
        log: pino({ level: 'silent' }),
      });
      await until('the result to be challengeable', () => updates.at(-1)?.status === 'CHALLENGEABLE', 120_000, 100);
      const { publicClient } = app.runtime.chain;
      const window = await publicClient.readContract({
        address: app.runtime.deployment.contracts.Settlement,
        abi: SettlementAbi,
        functionName: 'challengeWindow',
      });
      const testClient = createTestClient({ chain: anvil, mode: 'anvil', transport: http(rpcUrl) });
      await testClient.increaseTime({ seconds: Number(window) + 1 });
      await testClient.mine({ blocks: 1 });
      await finished;
    } finally {
      await client.dispose();
    }

    expect(updates.map((update) => update.status)).toEqual([
      'REQUESTED',
      'ASSIGNED',
      'COMPUTED',
      'COMMITTED',
      'CHALLENGEABLE',
      'FINAL',
    ]);
    const [, assigned, computed, committed, challengeable] = updates;
    expect(assigned.worker).toBe(worker.address);
    expect(assigned.outputFixed).toBeNull();
    expect(computed.outputFixed).toHaveLength(1);
    // COMMITTED as the commit's transaction left it before opening the window
    expect(committed.batch?.chainBatchId).toMatch(/^\d+$/);
    expect(committed.challengeEndsAt).toBeNull();
    expect(challengeable.challengeEndsAt).not.toBeNull();

    // what the pipeline observed on the way, as GET /metrics shows it
    const { samples } = await scrapeMetrics(app.baseUrl);
    expect(samples.get('verity_batch_size_results_count')).toBe(1);
    expect(samples.get('verity_batch_size_results_sum')).toBe(1);
    expect(samples.get('verity_batch_commit_latency_seconds_count')).toBe(1);
    expect(samples.get('verity_inferences{status="FINAL"}')).toBe(1);
    expect(samples.get('verity_workers{seen="5m"}')).toBe(1);
    expect(samples.get('verity_workers_stake_ether')).toBeGreaterThan(0);
  }, 240_000);
});
