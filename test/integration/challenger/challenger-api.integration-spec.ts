/**
 * What the challenger reads from the real API, in-process: the real API process (fresh database
 * and anvil), an in-process worker computing MNIST requests, and the challenger's own client. The
 * API's leafHash is the hash of the leaf the worker signed, its leafProof leads to the root
 * committed on-chain, the protocol names the dispute game with its bond and clock as the contract
 * has them, and a challenger pass over honest results checks them all and disputes none.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAddress, type Hex } from 'viem';
import pino from 'pino';
import { DisputeGameAbi, SettlementAbi } from '../../../src/chain/generated/contracts';
import { hashResultLeaf, verifyResultProof } from '../../../src/chain/result-merkle';
import { ChallengerApiClient } from '../../../src/challenger/challenger-api-client';
import { startChallenger } from '../../../src/challenger';
import { loadMnistHoldout } from '../../../src/engine/mnist/mnist-data';
import { startWorker, type WorkerHandle } from '../../../src/worker';
import { graphqlRequest } from '../../support/graphql-client';
import { startTestApp, type TestApp } from '../../support/test-app';
import { until } from '../../support/until';
import { ANVIL_WORKER_KEYS } from '../../support/worker-auth';

const MNIST = join(__dirname, '..', '..', 'fixtures', 'mnist');
/** anvil's default account #6. */
const CHALLENGER_KEY = '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e';
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`;

describe('the API as the challenger reads it', () => {
  let app: TestApp;
  let worker: WorkerHandle | undefined;
  const log = pino({ level: process.env.VERITY_TEST_LOG ?? 'silent' });
  const gql = (query: string, variables: Record<string, unknown> = {}) =>
    graphqlRequest(app.graphqlUrl, query, variables);
  const rpcUrl = () => (app.runtime.chain.publicClient.transport as { url?: string }).url ?? '';
  const read = <T>(address: Hex, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
    app.runtime.chain.publicClient.readContract({
      address,
      abi: abi as never,
      functionName,
      args,
    }) as Promise<T>;

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
    const modelId = registered.data.registerModel.id as string;
    await until('the model to be registered on-chain', async () => {
      const found = await gql(`query($id: ID!) { model(id: $id) { chainStatus } }`, { id: modelId });
      return found.data.model.chainStatus === 'REGISTERED' ? true : undefined;
    });
    worker = await startWorker({
      apiUrl: app.graphqlUrl,
      privateKey: ANVIL_WORKER_KEYS[1],
      provider: 'cpu',
      stake: true,
      rpcUrl: rpcUrl(),
      log,
    });
    for (const input of loadMnistHoldout().inputs.slice(0, 3)) {
      const requested = await gql(REQUEST, { input: { modelId, input, mode: 'OPTIMISTIC' } });
      expect(requested.errors).toBeUndefined();
    }
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await app?.stop();
  });

  it('serves the dispute game, its bond and its clock as the contracts have them', async () => {
    const protocol = await new ChallengerApiClient(app.graphqlUrl).protocol();
    const { Settlement, DisputeGame } = app.runtime.deployment.contracts;
    expect(getAddress(protocol.disputeGame)).toBe(
      getAddress(await read<Hex>(Settlement, SettlementAbi, 'disputeGame')),
    );
    expect(getAddress(protocol.disputeGame)).toBe(getAddress(DisputeGame));
    expect(BigInt(protocol.challengerBondWei)).toBe(
      await read<bigint>(DisputeGame, DisputeGameAbi, 'challengerBondWei'),
    );
    expect(BigInt(protocol.maxClockSeconds)).toBe(
      await read<bigint>(DisputeGame, DisputeGameAbi, 'maxClockSeconds'),
    );
  });

  it('serves each committed leaf hash and a proof that leads to the batch root committed on-chain', async () => {
    const api = new ChallengerApiClient(app.graphqlUrl);
    const rows = await until('three results committed on-chain', async () => {
      const all = await api.allInferences('CHALLENGEABLE');
      const committed = all.filter((row) => row.batch?.chainBatchId);
      return committed.length === 3 ? committed : undefined;
    });
    const { Settlement } = app.runtime.deployment.contracts;
    for (const row of rows) {
      expect(row.leafHash).toBe(
        hashResultLeaf({
          requestId: row.requestId,
          modelCommitment: row.modelCommitment,
          inputCommitment: row.inputCommitment,
          outputCommitment: row.outputCommitment!,
          traceCommitment: row.traceCommitment!,
          worker: getAddress(row.worker!),
        }),
      );
      const proof = await api.leafProof(row.id);
      const [root] = await read<readonly [Hex, bigint]>(Settlement, SettlementAbi, 'batchRootAndWindow', [
        BigInt(row.batch!.chainBatchId!),
      ]);
      expect(verifyResultProof(row.leafHash!, proof ?? [], root)).toBe(true);
    }
  });

  it('checks every honest result in one challenger pass and disputes none', async () => {
    const handle = await startChallenger({
      apiUrl: app.graphqlUrl,
      rpcUrl: rpcUrl(),
      privateKey: CHALLENGER_KEY,
      once: true,
      log,
    });
    expect(await handle.done).toEqual({ kind: 'stopped' });
    expect(handle.stats()).toEqual({
      checked: 3,
      disputesOpened: 0,
      disputesWon: 0,
      disputesLost: 0,
      movesSent: 0,
    });
  });
});
