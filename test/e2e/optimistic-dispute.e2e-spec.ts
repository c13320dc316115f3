/**
 * Optimistic mode under attack, end to end: the API process (with its defender), `verity worker`
 * processes (one of them faulty: `--fault wrong-output`), the `verity challenger` daemon, and test
 * parties playing the dishonest roles the daemon and the service never play (a worker's accomplice
 * defending its lie, a challenger disputing a correct result), all on one anvil whose clock the
 * test moves with evm_increaseTime.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createTestClient,
  createWalletClient,
  getAddress,
  http,
  parseEther,
  parseEventLogs,
  type Address,
  type Hex,
} from 'viem';
import { anvil } from 'viem/chains';
import { privateKeyToAccount } from 'viem/accounts';
import {
  DisputeGameAbi,
  EscrowAbi,
  ExampleConsumerAbi,
  ExampleConsumerBytecode,
  SettlementAbi,
} from '../../src/chain/generated/contracts';
import {
  DisputeOutcome,
  DisputePhase,
  DisputeSide,
  DisputeReason,
  createDisputeClient,
  type DisputeClient,
  type DisputeView,
} from '../../src/chain/dispute-client';
import { challengerMove, defenderMove } from '../../src/challenges/dispute-strategy';
import { commitModel, quantizeInput, type QuantizedModel } from '../../src/engine';
import { stepsTree } from '../../src/engine/commitment/step-descriptor';
import { traceOf, type Trace } from '../../src/engine/commitment/trace';
import { loadMnistHoldout } from '../../src/engine/mnist/mnist-data';
import { wrongOutputTrace } from '../../src/worker/fault-injection';
import { graphqlRequest } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import {
  startChallengerProcess,
  startWorkerProcess,
  stopWorkerProcess,
  type WorkerProcess,
} from '../support/worker-process';
import { openArgsFromApi } from '../support/api-leaf';
import { until } from '../support/until';

const MNIST = join(__dirname, '..', 'fixtures', 'mnist');
/** anvil's default accounts #4 and #5: the challenger daemon, and the test's dishonest parties. */
const DAEMON_KEY = '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a';
const ROGUE_KEY = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba';

const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id commitment quantizedJson } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id status } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) {
  id requestId status worker workerSignature inputFixed inputCommitment outputFixed outputCommitment traceCommitment leafHash leafProof
  batch { chainBatchId }
  disputes { disputeId status reason defending }
} }`;
const DISPUTE_HISTORY = `query($id: ID!) { inference(id: $id) { disputes {
  history { name side by detail }
  clocks { turn challengerUsedSeconds challengerRemainingSeconds defenderRemainingSeconds }
} } }`;
const BY_ORIGIN = `query($origin: InferenceOrigin) { inferences(first: 100, origin: $origin) { edges { node { id requestId status } } } }`;

interface Row {
  id: string;
  requestId: Hex;
  status: string;
  worker: Address | null;
  workerSignature: Hex | null;
  inputFixed: string[];
  inputCommitment: Hex;
  outputFixed: string[] | null;
  outputCommitment: Hex | null;
  traceCommitment: Hex | null;
  leafHash: Hex | null;
  leafProof: Hex[] | null;
  batch: { chainBatchId: string | null } | null;
  disputes: { disputeId: string; status: string; reason: string | null; defending: boolean }[];
}

describe('optimistic mode under attack, end to end', () => {
  let app: TestApp;
  let rpcUrl: string;
  let modelId: string;
  let model: QuantizedModel;
  let rogue: DisputeClient;
  let daemon: WorkerProcess | undefined;
  const processes: WorkerProcess[] = [];
  const digits = loadMnistHoldout().inputs;
  const faultyAddress = privateKeyToAccount(ANVIL_WORKER_KEYS[0]).address;
  const honestAddress = privateKeyToAccount(ANVIL_WORKER_KEYS[1]).address;
  const daemonAddress = privateKeyToAccount(DAEMON_KEY).address;

  const gql = (query: string, variables: Record<string, unknown> = {}) =>
    graphqlRequest(app.graphqlUrl, query, variables);
  const inference = async (id: string): Promise<Row> => {
    const result = await gql(INFERENCE, { id });
    expect(result.errors).toBeUndefined();
    return result.data.inference as Row;
  };
  const request = async (input: number[]): Promise<string> => {
    const result = await gql(REQUEST, { input: { modelId, input, mode: 'OPTIMISTIC' } });
    expect(result.errors).toBeUndefined();
    return result.data.requestInference.id as string;
  };
  const rowWhen = (id: string, what: string, test: (row: Row) => boolean) =>
    until(`inference ${id} ${what}`, async () => {
      const row = await inference(id);
      return test(row) ? row : undefined;
    });
  const contracts = () => app.runtime.deployment.contracts;
  const publicClient = () => app.runtime.chain.publicClient;
  const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
    publicClient().readContract({ address, abi: abi as never, functionName, args }) as Promise<T>;
  const moveTime = async (seconds: number) => {
    const testClient = createTestClient({ chain: anvil, mode: 'anvil', transport: http(rpcUrl) });
    await testClient.increaseTime({ seconds });
    await testClient.mine({ blocks: 1 });
  };
  const honestTraceOf = (row: Row): Trace => traceOf(model, Float64Array.from(row.inputFixed, Number));
  const disputeWhen = (id: bigint, what: string, test: (view: DisputeView) => boolean) =>
    until(`dispute ${id} ${what}`, async () => {
      const view = await rogue.readDispute(id);
      return test(view) ? view : undefined;
    });

  let honestWorker: WorkerProcess | undefined;
  /** An honest `verity worker` (once the faulty one is gone: nothing else computes the requests). */
  const startHonestWorker = () => {
    honestWorker ??= startWorkerProcess({
      key: ANVIL_WORKER_KEYS[1],
      name: 'honest',
      apiUrl: app.graphqlUrl,
      rpcUrl,
      args: ['--max-batch', '4'],
    });
    if (!processes.includes(honestWorker)) processes.push(honestWorker);
  };

  /** Opens a dispute on a row's leaf from the rogue account, with the data the API serves. */
  async function rogueOpens(row: Row): Promise<bigint> {
    const { disputeId } = await rogue.openDispute(openArgsFromApi(model, row));
    return disputeId;
  }

  beforeAll(async () => {
    app = await startTestApp();
    rpcUrl = (publicClient().transport as { url?: string }).url ?? '';
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
    model = JSON.parse(registered.data.registerModel.quantizedJson) as QuantizedModel;
    await until('the model to be registered on-chain', async () => {
      const models = await gql(`query($id: ID!) { model(id: $id) { chainStatus } }`, { id: modelId });
      return models.data.model.chainStatus === 'REGISTERED' ? true : undefined;
    });
    rogue = createDisputeClient({
      game: contracts().DisputeGame,
      publicClient: publicClient(),
      walletClient: createWalletClient({
        account: privateKeyToAccount(ROGUE_KEY),
        chain: publicClient().chain,
        transport: http(rpcUrl),
      }),
    });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...processes, ...(daemon ? [daemon] : [])].map(stopWorkerProcess));
    await app?.stop();
  });

  it('slashes a faulty worker through the challenger daemon and computes its requests again honestly', async () => {
    const faulty = startWorkerProcess({
      key: ANVIL_WORKER_KEYS[0],
      name: 'faulty',
      apiUrl: app.graphqlUrl,
      rpcUrl,
      args: ['--fault', 'wrong-output', '--max-batch', '4'],
    });
    processes.push(faulty);
    const ids = [await request(digits[0]), await request(digits[1])];
    const wrong = await Promise.all(
      ids.map((id) => rowWhen(id, 'committed with a wrong result', (row) => row.status === 'CHALLENGEABLE')),
    );
    await stopWorkerProcess(faulty);
    const lies = wrong.map((row) => {
      expect(getAddress(row.worker!)).toBe(faultyAddress);
      const honest = honestTraceOf(row);
      const lie = wrongOutputTrace(model, honest);
      // The faulty worker signed exactly the consistent lie fault injection builds.
      expect(row.traceCommitment).toBe(lie.traceCommitment);
      expect(row.outputFixed).not.toEqual(honest.output.map(String));
      return lie;
    });

    daemon = startChallengerProcess({ key: DAEMON_KEY, apiUrl: app.graphqlUrl, rpcUrl, args: ['--interval-ms', '500'] });
    // The service does not defend a trace the engine does not produce.
    const disputed = await Promise.all(
      ids.map((id) =>
        rowWhen(id, 'disputed by the daemon and left undefended', (row) => row.disputes.length > 0 && !row.disputes[0].defending),
      ),
    );
    const [oneStepId, timeoutId] = disputed.map((row) => BigInt(row.disputes[0].disputeId));
    for (const row of disputed) {
      expect(row.status).toBe('DISPUTED');
    }

    // The faulty worker's accomplice defends the first lie move by move; the daemon bisects it down
    // to the one-step, which the executor decides against the lie.
    const calls = rogue.calls;
    const resolved = await until('the one-step dispute to be decided', async () => {
      const view = await rogue.readDispute(oneStepId);
      if (view.phase === DisputePhase.Resolved) return view;
      const move = defenderMove(view, lies[0], calls);
      if (move) await rogue.send(move.call).catch(() => undefined);
      return undefined;
    });
    expect(resolved.outcome).toBe(DisputeOutcome.ChallengerWon);
    expect(resolved.reason).toBe(DisputeReason.OneStep);

    // The second lie's accomplice reveals its trace and then stops answering: it loses on time.
    await until('the second lie to be revealed', async () => {
      const view = await rogue.readDispute(timeoutId);
      if (view.phase !== DisputePhase.AwaitTracePage) return view;
      await rogue.send(defenderMove(view, lies[1], calls)!.call).catch(() => undefined);
      return undefined;
    });
    await disputeWhen(timeoutId, 'to await the defender again', (view) => view.turn === 2);
    await moveTime(Number(await rogue.maxClockSeconds()) + 1);
    const timedOut = await disputeWhen(timeoutId, 'to be decided on time', (view) => view.phase === DisputePhase.Resolved);
    expect(timedOut.outcome).toBe(DisputeOutcome.ChallengerWon);
    expect(timedOut.reason).toBe(DisputeReason.Timeout);

    // Both leaves are refuted and discarded, the faulty worker slashed once per leaf, the daemon paid.
    const slashings = parseEventLogs({
      abi: SettlementAbi,
      eventName: 'LeafDisputeResolved',
      logs: await publicClient().getLogs({ address: contracts().Settlement, fromBlock: 0n }),
    });
    expect(slashings.map((log) => [getAddress(log.args.worker), log.args.defenderWon, getAddress(log.args.challenger), log.args.slashed])).toEqual([
      [faultyAddress, false, daemonAddress, parseEther('0.5')],
      [faultyAddress, false, daemonAddress, parseEther('0.5')],
    ]);
    for (const row of wrong) {
      expect(await read<boolean>(contracts().Settlement, SettlementAbi, 'isLeafDiscarded', [row.leafHash])).toBe(true);
    }
    await until('the daemon to collect its bonds and rewards', async () => {
      const [bonds, rewards] = await Promise.all([
        read<bigint>(contracts().DisputeGame, DisputeGameAbi, 'claimable', [daemonAddress]),
        read<bigint>(contracts().Escrow, EscrowAbi, 'claimableOf', [daemonAddress]),
      ]);
      return bonds === 0n && rewards === 0n ? true : undefined;
    });

    // The requests are computed again, by an honest worker (the faulty one is never leased them again).
    startHonestWorker();
    const redone = await Promise.all(
      ids.map((id) =>
        rowWhen(id, 'computed again and committed', (row) => row.status === 'CHALLENGEABLE' && row.leafHash !== wrong.find((w) => w.id === id)!.leafHash),
      ),
    );
    for (const row of redone) {
      expect(getAddress(row.worker!)).toBe(honestAddress);
      expect(row.outputFixed).toEqual(honestTraceOf(row).output.map(String));
      expect(row.disputes.map((d) => [d.status, d.reason])).toContainEqual(['CHALLENGER_WON', expect.any(String)]);
    }
    await moveTime(Number(await read<bigint>(contracts().Settlement, SettlementAbi, 'challengeWindow')) + 1);
    await Promise.all(ids.map((id) => rowWhen(id, 'final', (row) => row.status === 'FINAL')));
  }, 600_000);

  it('lets a challenger who disputes a correct result lose its bond to the worker at the one-step', async () => {
    startHonestWorker();
    const id = await request(digits[2]);
    const row = await rowWhen(id, 'committed', (r) => r.status === 'CHALLENGEABLE');
    const honest = honestTraceOf(row);
    expect(row.traceCommitment).toBe(honest.traceCommitment);
    const workerBondsBefore = await read<bigint>(contracts().DisputeGame, DisputeGameAbi, 'claimable', [row.worker]);
    const disputeId = await rogueOpens(row);
    await rowWhen(id, 'disputed', (r) => r.status === 'DISPUTED');

    // Nothing differs: the rogue's strategy goes to the last step (one chunk) and its first value;
    // the service answers each move.
    const knowledge = { model, steps: stepsTree(model), own: honest };
    for (;;) {
      const view = await disputeWhen(disputeId, 'to await the challenger', (v) => v.turn === DisputeSide.Challenger);
      const move = challengerMove(view, knowledge, rogue.calls);
      if (!move) continue;
      await rogue.send(move.call);
      if (move.move === 'oneStep') break;
    }

    const view = await rogue.readDispute(disputeId);
    expect([view.outcome, view.reason]).toEqual([DisputeOutcome.DefenderWon, DisputeReason.OneStep]);
    expect(await read<bigint>(contracts().DisputeGame, DisputeGameAbi, 'claimable', [row.worker])).toBe(
      workerBondsBefore + (await rogue.challengerBondWei()),
    );
    const upheld = await rowWhen(id, 'upheld', (r) => r.status === 'CHALLENGEABLE');
    expect(upheld.disputes.map((d) => d.status)).toEqual(['DEFENDER_WON']);
    expect(upheld.leafHash).toBe(row.leafHash);
  }, 300_000);

  it('lets a challenger that stops moving lose on time, claimed by the service', async () => {
    startHonestWorker();
    const id = await request(digits[3]);
    const row = await rowWhen(id, 'committed', (r) => r.status === 'CHALLENGEABLE');
    const disputeId = await rogueOpens(row);
    await disputeWhen(disputeId, 'to be answered by the service', (view) => view.phase === DisputePhase.AwaitTracePick);
    await moveTime(Number(await rogue.maxClockSeconds()) + 1);
    const view = await disputeWhen(disputeId, 'to be decided', (v) => v.phase === DisputePhase.Resolved);
    expect([view.outcome, view.reason]).toEqual([DisputeOutcome.DefenderWon, DisputeReason.Timeout]);
    const upheld = await rowWhen(id, 'upheld', (r) => r.status === 'CHALLENGEABLE');

    // each move and both clocks, as the API reads them from DisputeGame (the explorer shows them)
    const maxClockSeconds = Number(await rogue.maxClockSeconds());
    const [played] = (await gql(DISPUTE_HISTORY, { id })).data.inference.disputes;
    expect(played.history.map((move: { name: string; side: string | null }) => [move.name, move.side])).toEqual([
      ['DisputeOpened', 'CHALLENGER'],
      ['TracePageRevealed', 'DEFENDER'],
      ['DisputeResolved', null],
      ['BondCredited', null],
    ]);
    expect(played.history[0].by).toBe(privateKeyToAccount(ROGUE_KEY).address);
    expect(played.history[2].detail).toBe('defender won (TIMEOUT)');
    expect(played.history[3].by).toBe(upheld.worker);
    expect(played.clocks).toEqual({
      turn: null,
      challengerUsedSeconds: maxClockSeconds,
      challengerRemainingSeconds: 0,
      defenderRemainingSeconds: expect.any(Number),
    });
    expect(played.clocks.defenderRemainingSeconds).toBeGreaterThan(0);
    await moveTime(Number(await read<bigint>(contracts().Settlement, SettlementAbi, 'challengeWindow')) + 1);
    await rowWhen(id, 'final', (r) => r.status === 'FINAL');
  }, 300_000);

  it('refuses to finalize an on-chain request before its challenge window is over', async () => {
    const { walletClient, account } = app.runtime.chain;
    const deployHash = await walletClient.deployContract({
      abi: ExampleConsumerAbi,
      bytecode: ExampleConsumerBytecode,
      args: [contracts().Settlement],
    });
    const consumer = (await publicClient().waitForTransactionReceipt({ hash: deployHash })).contractAddress as Address;
    startHonestWorker();
    const input = Array.from(quantizeInput(model, digits[4]), (v) => BigInt(v));
    const { result: requestId, request: ask } = await publicClient().simulateContract({
      address: consumer,
      abi: ExampleConsumerAbi,
      functionName: 'ask',
      args: [commitModel(model).commitment, input, 1_000_000],
      value: await publicClient().readContract({
        address: contracts().Settlement,
        abi: SettlementAbi,
        functionName: 'requiredFee',
        args: [commitModel(model).commitment, 1_000_000],
      }),
      account,
    });
    await publicClient().waitForTransactionReceipt({ hash: await walletClient.writeContract(ask) });
    const id = await until('the service to pick the on-chain request up', async () => {
      const page = await gql(BY_ORIGIN, { origin: 'CHAIN' });
      return page.data.inferences.edges.map((e: { node: { id: string; requestId: string } }) => e.node).find(
        (n: { requestId: string }) => n.requestId === requestId,
      )?.id as string | undefined;
    });
    await rowWhen(id, 'revealed', (r) => r.status === 'CHALLENGEABLE');
    await expect(
      publicClient().simulateContract({
        address: contracts().Settlement,
        abi: SettlementAbi,
        functionName: 'finalize',
        args: [requestId],
        account: privateKeyToAccount(ROGUE_KEY),
      }),
    ).rejects.toThrow(/Settlement_ChallengeWindowOpen/);
    expect(await read<boolean>(consumer, ExampleConsumerAbi, 'answered', [requestId])).toBe(false);
    await moveTime(Number(await read<bigint>(contracts().Settlement, SettlementAbi, 'challengeWindow')) + 1);
    await rowWhen(id, 'final', (r) => r.status === 'FINAL');
    expect(await read<boolean>(consumer, ExampleConsumerAbi, 'answered', [requestId])).toBe(true);
  }, 300_000);
});
