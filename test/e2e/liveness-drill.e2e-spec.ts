/**
 * L1 of issue 18 ("Hold under attack"): a drill in real time, never warped, on short development
 * clocks (a 20 s challenge window, 8 s dispute clocks) and a chain that makes a block every second
 * on its own, as the embedded default does. A lying worker (`verity worker --fault wrong-output`),
 * the `verity challenger` daemon and an honest worker: every wrong result is disputed and won, its
 * request computed again, and every request reaches FINAL. On a chain that mines only when a
 * transaction arrives, chain time stands still once the last transaction is mined, and the
 * dispute clocks and the windows never run out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, parseEther, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ProtocolParameters } from '../../src/chain/deployments';
import type { QuantizedModel } from '../../src/engine';
import { traceOf } from '../../src/engine/commitment/trace';
import { loadMnistHoldout } from '../../src/engine/mnist/mnist-data';
import { graphqlRequest } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import {
  startChallengerProcess,
  startWorkerProcess,
  stopWorkerProcess,
  type WorkerProcess,
} from '../support/worker-process';

const MNIST = join(__dirname, '..', 'fixtures', 'mnist');
/** anvil's default account #4: the challenger daemon. */
const DAEMON_KEY = '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a';
/** Development clocks: short enough for a drill in real time, long enough for the daemon to open in the window. */
const DRILL_CLOCKS: ProtocolParameters = {
  minimumStakeWei: parseEther('1'),
  withdrawalDelaySeconds: 60n,
  challengeWindowSeconds: 20n,
  minimumFeeWei: parseEther('0.001'),
  disputeSlashAmountWei: parseEther('0.1'),
  maxClockSeconds: 8n,
};
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id quantizedJson } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) { id status worker inputFixed outputFixed disputes { status reason } } }`;

interface Row {
  id: string;
  status: string;
  worker: Address | null;
  inputFixed: string[];
  outputFixed: string[] | null;
  disputes: { status: string; reason: string | null }[];
}

describe('a lying worker on the embedded chain in real time', () => {
  let app: TestApp;
  const processes: WorkerProcess[] = [];
  const liar = privateKeyToAccount(ANVIL_WORKER_KEYS[0]).address;
  const honest = privateKeyToAccount(ANVIL_WORKER_KEYS[1]).address;

  beforeAll(async () => {
    app = await startTestApp({ ANVIL_BLOCK_TIME_SECONDS: '1' }, { protocolParameters: DRILL_CLOCKS });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(processes.map(stopWorkerProcess));
    await app?.stop();
  });

  it('disputes and wins every lie, computes the requests again and finalizes all of them, with no time warp', async () => {
    const gql = (query: string, variables: Record<string, unknown>) =>
      graphqlRequest(app.graphqlUrl, query, variables);
    const rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url ?? '';
    const registered = await gql(REGISTER_MODEL, {
      input: {
        name: 'mnist-mlp',
        onnxBase64: readFileSync(join(MNIST, 'mnist-mlp.onnx')).toString('base64'),
        calibration: (
          JSON.parse(readFileSync(join(MNIST, 'calibration.json'), 'utf8')) as { input_data: number[][] }
        ).input_data,
      },
    });
    expect(registered.errors).toBeUndefined();
    const modelId = registered.data.registerModel.id as string;
    const model = JSON.parse(registered.data.registerModel.quantizedJson) as QuantizedModel;
    const row = async (id: string): Promise<Row> => (await gql(INFERENCE, { id })).data.inference as Row;
    const rows = (ids: readonly string[]) => Promise.all(ids.map(row));

    const daemon = startChallengerProcess({
      key: DAEMON_KEY,
      apiUrl: app.graphqlUrl,
      rpcUrl,
      args: ['--interval-ms', '500'],
    });
    const lying = startWorkerProcess({
      key: ANVIL_WORKER_KEYS[0],
      name: 'liar',
      apiUrl: app.graphqlUrl,
      rpcUrl,
      args: ['--fault', 'wrong-output', '--max-batch', '4'],
    });
    processes.push(daemon, lying);
    await until('the challenger daemon to watch', async () =>
      daemon.output.join('').includes('challenger started') ? true : undefined,
    );
    const digits = loadMnistHoldout().inputs.slice(0, 3);
    const ids: string[] = [];
    for (const digit of digits) {
      const requested = await gql(REQUEST, { input: { modelId, input: digit, mode: 'OPTIMISTIC' } });
      expect(requested.errors).toBeUndefined();
      ids.push(requested.data.requestInference.id as string);
    }
    await until('the liar to compute every request', async () => {
      const now = await rows(ids);
      return now.every((r) => r.worker !== null && getAddress(r.worker) === liar) ? true : undefined;
    });
    // Its stake is frozen by the disputes, then slashed: it is refused from here on anyway.
    await stopWorkerProcess(lying);
    processes.push(
      startWorkerProcess({
        key: ANVIL_WORKER_KEYS[1],
        name: 'honest',
        apiUrl: app.graphqlUrl,
        rpcUrl,
        args: ['--max-batch', '4'],
      }),
    );

    const final = await until(
      'every request to be FINAL',
      async () => {
        const now = await rows(ids);
        return now.every((r) => r.status === 'FINAL') ? now : undefined;
      },
      150_000,
    );
    for (const r of final) {
      expect(getAddress(r.worker!)).toBe(honest);
      expect(r.outputFixed).toEqual(
        traceOf(model, Float64Array.from(r.inputFixed, Number)).output.map(String),
      );
      expect(r.disputes.map((d) => d.status)).toContain('CHALLENGER_WON');
    }
    // Real time throughout: the chain's clock is the wall clock (no evm_increaseTime anywhere).
    const latest = await app.runtime.chain.publicClient.getBlock({ blockTag: 'latest' });
    expect(Math.abs(Number(latest.timestamp) - Date.now() / 1000)).toBeLessThan(30);
  }, 240_000);
});
