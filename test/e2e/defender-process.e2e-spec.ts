/**
 * C2 of issue 18 ("Hold under attack"): a defender nobody can stall. `verity serve --with-worker`
 * as an operator runs it (DEFENDER_MODE unset: `verity defender` as a child process with its own
 * key), on a chain the test owns that makes a block every second, with 30 s dispute clocks. A
 * rogue challenger disputes an honest result; at once the API gets a crafted blow-up model and is
 * then frozen outright (SIGSTOP) for longer than a dispute clock. The defender process answers
 * every move from its own account and wins on time while the API is still frozen; the rogue, which
 * claims a timeout the moment the defender's clock runs out, never gets one. With the defender in
 * the API process (DEFENDER_MODE=in-process, the only arrangement before), the frozen API answers
 * nothing and the rogue wins. Then: a killed defender child is started again, and a killed parent
 * takes its child with it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  parseEther,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { anvil as anvilChain } from 'viem/chains';
import { ANVIL_DEFAULT_PRIVATE_KEY, ANVIL_DEFENDER_PRIVATE_KEY, startAnvil, type AnvilHandle } from '../../src/chain/anvil';
import { createChainClients } from '../../src/chain/chain-clients';
import { resolveDeployment, type Deployment, type ProtocolParameters } from '../../src/chain/deployments';
import {
  DisputeOutcome,
  DisputePhase,
  DisputeReason,
  DisputeSide,
  createDisputeClient,
  type DisputeClient,
} from '../../src/chain/dispute-client';
import { DisputeGameAbi } from '../../src/chain/generated/contracts';
import { challengerMove, timeoutClaim } from '../../src/challenges/dispute-strategy';
import { findFreePort } from '../../src/common/free-port';
import { quantizeInput, stepsTree, traceOf, type QuantizedModel } from '../../src/engine';
import { loadMnistHoldout } from '../../src/engine/mnist/mnist-data';
import { outerBroadcastModel } from '../../src/engine/testing/blow-up-models';
import { collectEvents, graphqlRequest, subscriptionClient } from '../support/graphql-client';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { openArgsFromApi } from '../support/api-leaf';
import { until } from '../support/until';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import { startServeProcess, type WorkerProcess } from '../support/worker-process';

const MNIST = join(__dirname, '..', 'fixtures', 'mnist');
/** anvil's default account #5: the rogue challenger. */
const ROGUE_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba';
const CLOCK_SECONDS = 30;
const CLOCKS: ProtocolParameters = {
  minimumStakeWei: parseEther('1'),
  withdrawalDelaySeconds: 1200n,
  challengeWindowSeconds: 600n,
  minimumFeeWei: parseEther('0.001'),
  disputeSlashAmountWei: parseEther('0.1'),
  maxClockSeconds: BigInt(CLOCK_SECONDS),
};
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id quantizedJson } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) {
  id requestId status worker workerSignature inputCommitment outputCommitment traceCommitment leafProof
  batch { chainBatchId }
  disputes { disputeId status reason }
} }`;

interface Row {
  id: string;
  requestId: Hex;
  status: string;
  worker: Address | null;
  workerSignature: Hex | null;
  inputCommitment: Hex;
  outputCommitment: Hex | null;
  traceCommitment: Hex | null;
  leafProof: Hex[] | null;
  batch: { chainBatchId: string | null } | null;
  disputes: { disputeId: string; status: string; reason: string | null }[];
}

/** The process's state letter in /proc (T: stopped). */
function processState(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the defender in a process of its own', () => {
  const defenderAddress = privateKeyToAccount(ANVIL_DEFENDER_PRIVATE_KEY).address;
  let database: TestDatabase;
  let anvil: AnvilHandle;
  let deployment: Deployment;
  let serve: WorkerProcess;
  let baseUrl: string;
  let rogue: DisputeClient;
  let publicClient: PublicClient<Transport, Chain>;

  const output = () => serve.output.join('');
  const gql = (query: string, variables: Record<string, unknown> = {}) =>
    graphqlRequest(`${baseUrl}/graphql`, query, variables);
  const health = async () => {
    const response = await fetch(`${baseUrl}/health`).catch(() => undefined);
    return response ? { status: response.status, body: (await response.json()) as any } : undefined;
  };
  /** The pids of every defender child `serve` logged as started, in order. */
  const defenderPids = () => [...output().matchAll(/defender process started \(pid (\d+)\)/g)].map((m) => Number(m[1]));

  beforeAll(async () => {
    database = await createTestDatabase();
    anvil = await startAnvil({ blockTimeSeconds: 1 });
    const deploymentsDir = mkdtempSync(join(tmpdir(), 'verity-defender-deployments-'));
    // Deployed before `serve` starts, with short clocks: serve finds the record and keeps it.
    deployment = (
      await resolveDeployment(
        createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEFAULT_PRIVATE_KEY }),
        deploymentsDir,
        CLOCKS,
      )
    ).deployment;
    const port = await findFreePort();
    baseUrl = `http://127.0.0.1:${port}`;
    serve = startServeProcess({
      DATABASE_URL: database.url,
      RPC_URL: anvil.rpcUrl,
      CHAIN_ID: '31337',
      PRIVATE_KEY: ANVIL_DEFAULT_PRIVATE_KEY,
      DEFENDER_PRIVATE_KEY: ANVIL_DEFENDER_PRIVATE_KEY,
      DEPLOYMENTS_DIR: deploymentsDir,
      VERITY_DATA_DIR: mkdtempSync(join(tmpdir(), 'verity-defender-data-')),
      PORT: String(port),
      WORKER_PRIVATE_KEY: ANVIL_WORKER_KEYS[0],
      WORKER_PROVIDER: 'cpu',
      LOG_LEVEL: 'info',
    });
    // Healthy only once the defender child has reported its first full pass.
    await until(
      'serve and its defender child to be healthy',
      async () => {
        if (serve.child.exitCode !== null) throw new Error(`serve exited: ${output()}`);
        const now = await health();
        return now?.status === 200 ? now : undefined;
      },
      240_000,
      1_000,
    );
    publicClient = createPublicClient({ chain: anvilChain, transport: http(anvil.rpcUrl), pollingInterval: 250 });
    rogue = createDisputeClient({
      game: deployment.contracts.DisputeGame,
      publicClient,
      walletClient: createWalletClient({ account: privateKeyToAccount(ROGUE_KEY), chain: anvilChain, transport: http(anvil.rpcUrl) }),
    });
  }, 300_000);

  afterAll(async () => {
    if (serve && serve.child.exitCode === null && serve.child.signalCode === null) {
      if (processState(serve.child.pid!) === 'T') process.kill(serve.child.pid!, 'SIGCONT');
      process.kill(-serve.child.pid!, 'SIGKILL');
      await serve.exited;
    }
    for (const pid of serve ? defenderPids() : []) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    await anvil?.stop();
    await database?.drop();
  });

  it('reports the defender child on /health', async () => {
    const now = await health();
    expect(now?.body.info.defender).toMatchObject({ status: 'up', mode: 'child', address: defenderAddress, pid: defenderPids().at(-1) });
  });

  it('answers every move of a dispute on an honest result, and wins, while the API is frozen for longer than a clock', async () => {
    const registered = await gql(REGISTER_MODEL, {
      input: {
        name: 'mnist-mlp',
        onnxBase64: readFileSync(join(MNIST, 'mnist-mlp.onnx')).toString('base64'),
        calibration: (JSON.parse(readFileSync(join(MNIST, 'calibration.json'), 'utf8')) as { input_data: number[][] }).input_data,
      },
    });
    expect(registered.errors).toBeUndefined();
    const modelId = registered.data.registerModel.id as string;
    const model = JSON.parse(registered.data.registerModel.quantizedJson) as QuantizedModel;
    await until('the model to be registered on-chain', async () => {
      const found = await gql(`query($id: ID!) { model(id: $id) { chainStatus } }`, { id: modelId });
      return found.data.model.chainStatus === 'REGISTERED' ? true : undefined;
    });
    const digit = loadMnistHoldout().inputs[0];
    const requested = await gql(REQUEST, { input: { modelId, input: digit, mode: 'OPTIMISTIC' } });
    expect(requested.errors).toBeUndefined();
    const id = requested.data.requestInference.id as string;
    const row = await until('the honest result to be committed', async () => {
      const now = (await gql(INFERENCE, { id })).data.inference as Row;
      return now.status === 'CHALLENGEABLE' ? now : undefined;
    });

    // A subscriber on the API: what the defender process changes reaches it over NOTIFY.
    const subscriber = subscriptionClient(`${baseUrl}/graphql`);
    const updates = collectEvents<{ inferenceUpdated: { status: string } }>(
      subscriber,
      `subscription { inferenceUpdated(id: "${id}") { status } }`,
      2,
    );
    await updates.ready;

    const { disputeId } = await rogue.openDispute(openArgsFromApi(model, row));
    // The attack: a blow-up model sent to the API, then the API frozen outright.
    const upload = gql(REGISTER_MODEL, { input: { name: 'square', onnxBase64: Buffer.from(outerBroadcastModel(2048)).toString('base64') } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const apiPid = serve.child.pid!;
    process.kill(apiPid, 'SIGSTOP');
    const frozenAt = Date.now();
    let decided;
    try {
      // The rogue plays the challenger's moves down to the one-step (the honest trace agrees
      // everywhere, so its strategy goes to the last step), then falls silent; it claims a timeout
      // as soon as the defender's clock runs out.
      const knowledge = { model, steps: stepsTree(model), own: traceOf(model, quantizeInput(model, digit)) };
      decided = await until(
        'the dispute to be decided while the API is frozen',
        async () => {
          const view = await rogue.readDispute(disputeId);
          if (view.phase === DisputePhase.Resolved) return view;
          const claim = timeoutClaim(view, rogue.calls);
          if (claim && view.turn === DisputeSide.Defender) await rogue.send(claim.call).catch(() => undefined);
          else if (view.turn === DisputeSide.Challenger && view.phase !== DisputePhase.AwaitOneStep) {
            const move = challengerMove(view, knowledge, rogue.calls);
            if (move) await rogue.send(move.call).catch(() => undefined);
          }
          return undefined;
        },
        4 * CLOCK_SECONDS * 1000,
        500,
      );
      // Still frozen: nothing of this came from the API process.
      expect(processState(apiPid)).toBe('T');
      expect(Date.now() - frozenAt).toBeGreaterThan(CLOCK_SECONDS * 1000);
      console.log(
        `dispute ${disputeId} decided ${Math.round((Date.now() - frozenAt) / 1000)} s into the API's freeze: outcome ${decided.outcome}, reason ${decided.reason}`,
      );
      expect([decided.outcome, decided.reason]).toEqual([DisputeOutcome.DefenderWon, DisputeReason.Timeout]);
      // Every defender move, and the timeout claim that decided it, came from the defender's own account.
      const logs = await publicClient.getContractEvents({
        address: deployment.contracts.DisputeGame,
        abi: DisputeGameAbi,
        fromBlock: 0n,
        strict: true,
      });
      const ours = logs.filter((log) => 'disputeId' in log.args && log.args.disputeId === disputeId);
      const senders = new Map<string, Address>();
      for (const log of ours) {
        const tx = await publicClient.getTransaction({ hash: log.transactionHash });
        senders.set(log.eventName, getAddress(tx.from));
      }
      for (const event of ['TracePageRevealed', 'ChunkValuesRevealed', 'DisputeResolved']) {
        expect([event, senders.get(event)]).toEqual([event, defenderAddress]);
      }
    } finally {
      process.kill(apiPid, 'SIGCONT');
    }

    // Thawed, the API refuses the blow-up by name (by its cap, or by the compile thread's
    // wall-clock deadline, which the freeze may have outlasted) and shows the dispute won.
    const refused = await upload;
    expect(['MODEL_LIMIT_EXCEEDED', 'MODEL_IMPORT_TIMEOUT']).toContain(refused.errors?.[0].extensions?.code);
    const upheld = await until('the API to show the dispute won', async () => {
      const now = (await gql(INFERENCE, { id })).data.inference as Row;
      return now.disputes[0]?.status === 'DEFENDER_WON' && now.status === 'CHALLENGEABLE' ? now : undefined;
    });
    expect(upheld.disputes.map((d) => [d.disputeId, d.reason])).toEqual([[disputeId.toString(), 'TIMEOUT']]);
    // The current state first, then a change the defender process made, relayed by the API.
    let timer: NodeJS.Timeout | undefined;
    const pushed = await Promise.race([
      updates.events,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no relayed inferenceUpdated event')), 60_000);
      }),
    ]).finally(() => clearTimeout(timer));
    await subscriber.dispose();
    expect(pushed.map((event) => event.inferenceUpdated.status)).toEqual(['CHALLENGEABLE', expect.stringMatching(/^(DISPUTED|CHALLENGEABLE)$/)]);
  }, 600_000);

  it('starts the defender child again when it is killed', async () => {
    const [first] = defenderPids().slice(-1);
    process.kill(first, 'SIGKILL');
    await until('serve to log the death', async () =>
      output().includes(`defender process ${first} died (signal SIGKILL)`) ? true : undefined,
    );
    const second = await until('a new defender child', async () => {
      const pid = defenderPids().at(-1);
      return pid !== undefined && pid !== first ? pid : undefined;
    });
    await until(
      'the new child to report its heartbeat on /health',
      async () => {
        const now = await health();
        return now?.body.details?.defender?.pid === second && now.status === 200 ? true : undefined;
      },
      240_000,
      1_000,
    );
  }, 300_000);

  it('takes its defender child with it when serve is killed', async () => {
    const child = defenderPids().at(-1)!;
    expect(isAlive(child)).toBe(true);
    serve.child.kill('SIGKILL');
    await serve.exited;
    await until('the orphaned defender to exit by itself', async () => (isAlive(child) ? undefined : true), 30_000);
  }, 60_000);
});
