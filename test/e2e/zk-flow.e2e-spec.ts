/**
 * zk mode end to end, as a dapp sees it: ZK requests are refused until the model's circuit is
 * ready; enableZkMode generates the MNIST MLP's circuit, runs the trusted setup and deploys its
 * verifier (progress visible while it runs); a ZK-mode request then goes REQUESTED -> COMPUTED ->
 * PROVING -> FINAL with the proof settled on-chain by ZkSettlement.settleZk; anyone can re-verify the
 * proof through the API and read the proven result from the contract, and a tampered proof fails;
 * the typed client's verifyResult checks it all against the chain.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAbiParameters, keccak256, toHex, type Hex } from 'viem';
import { ZkSettlementAbi } from '../../src/chain/generated/contracts';
import { createVerityClient } from '../../src/client';
import { evaluateFixed, quantizeInput, type QuantizedModel } from '../../src/engine';
import { loadMnistHoldout } from '../../src/engine/mnist/mnist-data';
import { graphqlRequest } from '../support/graphql-client';
import { scrapeMetrics } from '../support/prometheus';
import { startTestApp, type TestApp } from '../support/test-app';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { until } from '../support/until';
import { MODEL_OWNER, zkConsent } from '../support/zk-consent';

const MNIST = join(__dirname, '..', 'fixtures', 'mnist');
const SOFTMAX = join(__dirname, '..', 'fixtures', 'onnx-conformance', '1l_softmax', 'network.onnx');
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id commitment quantizedJson modes } }`;
const ENABLE_ZK = `mutation($modelId: ID!, $deadline: Int!, $signature: String!) { enableZkMode(modelId: $modelId, deadline: $deadline, signature: $signature) { id status stage } }`;
const ZK_CIRCUIT = `query($id: ID!) { zkCircuit(id: $id) { id status stage constraints ptauPower developmentSetup zkeyHash verifierAddress chainTx contributions { name hash } errorMessage } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id status } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) { id status mode outputFixed provingStage error { code message } proof { proof publicSignals inputCommitment circuitId settleTx } } }`;
const VERIFY = `query($circuitId: ID!, $proof: String!, $publicSignals: [String!]!) { verifyZkProof(circuitId: $circuitId, proof: $proof, publicSignals: $publicSignals) }`;

describe('zk mode end to end', () => {
  let app: TestApp;
  let worker: WorkerProcess | undefined;
  let modelId: string;
  let modelCommitment: Hex;
  let model: QuantizedModel;
  const digit = loadMnistHoldout().inputs[3];
  const gql = (query: string, variables: Record<string, unknown> = {}) => graphqlRequest(app.graphqlUrl, query, variables);

  beforeAll(async () => {
    app = await startTestApp();
    const calibration = (JSON.parse(readFileSync(join(MNIST, 'calibration.json'), 'utf8')) as { input_data: number[][] }).input_data;
    const registered = await gql(REGISTER_MODEL, {
      input: { name: 'mnist-mlp', onnxBase64: readFileSync(join(MNIST, 'mnist-mlp.onnx')).toString('base64'), calibration, owner: MODEL_OWNER },
    });
    expect(registered.errors).toBeUndefined();
    ({ id: modelId, commitment: modelCommitment } = registered.data.registerModel);
    model = JSON.parse(registered.data.registerModel.quantizedJson) as QuantizedModel;
    const rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url ?? '';
    worker = startWorkerProcess({ key: ANVIL_WORKER_KEYS[0], name: 'zk-worker', apiUrl: app.graphqlUrl, rpcUrl, args: [] });
  }, 180_000);

  afterAll(async () => {
    if (worker) await stopWorkerProcess(worker);
    await app?.stop();
  });

  it('refuses a ZK request before the model has a circuit, and refuses zk mode for a model with table lookups', async () => {
    const refused = await gql(REQUEST, { input: { modelId, input: digit, mode: 'ZK' } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('MODE_NOT_ALLOWED');
    const softmax = await gql(REGISTER_MODEL, {
      input: { name: 'softmax', onnxBase64: readFileSync(SOFTMAX).toString('base64'), owner: MODEL_OWNER },
    });
    const { id: softmaxId, commitment: softmaxCommitment } = softmax.data.registerModel;
    const unsupported = await gql(ENABLE_ZK, { modelId: softmaxId, ...(await zkConsent(app, softmaxCommitment)) });
    expect(unsupported.errors?.[0]?.extensions?.code).toBe('ZK_UNSUPPORTED_MODEL');
    expect(unsupported.errors?.[0]?.message).toMatch(/use optimistic mode/);
  });

  it('proves a ZK-mode MNIST request and makes it final on-chain; anyone can re-verify it', async () => {
    const enabled = await gql(ENABLE_ZK, { modelId, ...(await zkConsent(app, modelCommitment)) });
    expect(enabled.errors).toBeUndefined();
    const circuitId = enabled.data.enableZkMode.id as string;
    const stages = new Set<string>();
    /** Every stage text the API showed: none with the server's directories (src/common/client-text.ts). */
    const shown: string[] = [];
    const circuit = await until(
      'the zk circuit to be ready',
      async () => {
        const row = (await gql(ZK_CIRCUIT, { id: circuitId })).data.zkCircuit;
        stages.add(String(row.stage).split(':')[0]);
        shown.push(String(row.stage));
        if (row.status === 'FAILED') throw new Error(`zk preparation failed: ${row.errorMessage}`);
        return row.status === 'READY' ? row : undefined;
      },
      1_500_000,
    );
    expect(circuit.constraints).toBeGreaterThan(10_000);
    expect(circuit.developmentSetup).toBe(true);
    expect(circuit.verifierAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(circuit.contributions.length).toBeGreaterThanOrEqual(2);
    expect(stages.size).toBeGreaterThan(1);

    const requested = await gql(REQUEST, { input: { modelId, input: digit, mode: 'ZK' } });
    expect(requested.errors).toBeUndefined();
    const id = requested.data.requestInference.id as string;
    const seen = new Set<string>();
    const final = await until(
      'the ZK request to be final',
      async () => {
        const row = (await gql(INFERENCE, { id })).data.inference;
        seen.add(row.status);
        if (row.provingStage) shown.push(String(row.provingStage));
        if (row.status === 'FAILED') throw new Error(`failed: ${JSON.stringify(row.error)}`);
        return row.status === 'FINAL' ? row : undefined;
      },
      300_000,
    );
    expect(seen.has('PROVING') || seen.has('COMPUTED')).toBe(true);
    const engine = evaluateFixed(model, quantizeInput(model, digit), { trace: false });
    expect(final.outputFixed).toEqual(engine.outputFixed.map(String));
    expect(final.proof.settleTx).toMatch(/^0x[0-9a-f]{64}$/);
    expect(final.proof.circuitId).toBe(circuitId);
    expect(shown.filter((text) => /(^|[\s'"(])\/[^\s/]+\//.test(text))).toEqual([]);
    // GET /metrics has the time of the proof
    expect((await scrapeMetrics(app.baseUrl)).samples.get('verity_zk_prove_seconds_count')).toBe(1);

    // Off-chain verification through the API, and a tampered public signal.
    const verified = await gql(VERIFY, { circuitId, proof: final.proof.proof, publicSignals: final.proof.publicSignals });
    expect(verified.data.verifyZkProof).toBe(true);
    const tampered = [...final.proof.publicSignals];
    tampered[1] = (BigInt(tampered[1]) + 1n).toString();
    const rejected = await gql(VERIFY, { circuitId, proof: final.proof.proof, publicSignals: tampered });
    expect(rejected.data.verifyZkProof).toBe(false);

    // ZkSettlement holds the proven output for (model, input commitment).
    const outputHash = await app.runtime.chain.publicClient.readContract({
      address: app.runtime.deployment.contracts.ZkSettlement,
      abi: ZkSettlementAbi,
      functionName: 'zkResultOf',
      args: [modelCommitment, toHex(BigInt(final.proof.inputCommitment), { size: 32 })],
    });
    expect(outputHash).toBe(keccak256(encodeAbiParameters([{ type: 'int256[]' }], [engine.outputFixed])));

    // The typed client checks the same without trusting the API: the verifier ModelRegistry
    // records accepts the proof, the proof carries this input and output, Settlement recorded it.
    const verity = createVerityClient({
      url: app.graphqlUrl,
      publicClient: app.runtime.chain.publicClient,
      settlement: app.runtime.deployment.contracts.Settlement,
    });
    try {
      const served = await verity.getInference(id);
      const report = await verity.verifyResult(served);
      expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
        ['MODEL_REGISTERED', true],
        ['PROOF_VERIFIES', true],
        ['PROOF_MATCHES_RESULT', true],
        ['INPUT_MATCHES_PROOF', true],
        ['ZK_RESULT_RECORDED', true],
      ]);
      const otherOutput = structuredClone(served);
      otherOutput.outputFixed![0] = (BigInt(otherOutput.outputFixed![0]) + 1n).toString();
      expect((await verity.checkResult(otherOutput)).failed).toEqual(['PROOF_MATCHES_RESULT', 'ZK_RESULT_RECORDED']);
      const otherInput = structuredClone(served);
      otherInput.inputFixed[0] = (BigInt(otherInput.inputFixed[0]) + 1n).toString();
      expect((await verity.checkResult(otherInput)).failed).toEqual(['INPUT_MATCHES_PROOF']);
      const forgedProof = structuredClone(served);
      forgedProof.proof!.publicSignals = tampered;
      expect((await verity.checkResult(forgedProof)).failed).toEqual(expect.arrayContaining(['PROOF_VERIFIES']));
    } finally {
      await verity.close();
    }
  }, 1_900_000);
});
