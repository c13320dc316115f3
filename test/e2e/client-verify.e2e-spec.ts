/**
 * The typed client against a real API, anvil and `verity worker`, and against a dishonest API:
 * verifyResult and `verity check` decide from the chain, so a FINAL claimed before the window is
 * over, an output that is not the committed one, a batch that is not on chain and a result signed
 * by a key with no stake each fail, by the name of the check that caught it.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestClient, http, keccak256, stringToHex, type Address, type Hex } from 'viem';
import { anvil } from 'viem/chains';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { SettlementAbi } from '../../src/chain/generated/contracts';
import { buildResultTree, hashResultLeaf, type ResultLeaf } from '../../src/chain/result-merkle';
import { RESULT_TYPES, verityDomain } from '../../src/chain/typed-data';
import { createVerityClient, type Inference, type VerityClient } from '../../src/client';
import { loadMnistHoldout } from '../../src/engine/mnist/mnist-data';
import { startTestApp, type TestApp } from '../support/test-app';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import { startWorkerProcess, stopWorkerProcess, type WorkerProcess } from '../support/worker-process';

const ROOT = join(__dirname, '..', '..');
const MNIST = join(ROOT, 'test', 'fixtures', 'mnist');

/** An API in front of the real one that rewrites what `inference` answers: a dishonest service. */
function dishonestApi(upstream: string): { server: Server; url: Promise<string>; tamper: (edit: ((inference: any) => void) | null) => void } {
  let edit: ((inference: any) => void) | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const answer = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
        const body = (await answer.json()) as { data?: { inference?: unknown } };
        if (edit && body.data?.inference) edit(body.data.inference);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      })();
    });
  });
  const url = new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`)),
  );
  return { server, url, tamper: (next) => (edit = next) };
}

describe('the typed client and `verity check` against the chain, with an honest and a dishonest API', () => {
  let app: TestApp;
  let rpcUrl: string;
  let settlement: Address;
  let verity: VerityClient;
  let worker: WorkerProcess;
  let liar: ReturnType<typeof dishonestApi>;
  let challengeable: Inference;
  let unstakedForgery: Inference;

  /** `verity check` in its own process; asynchronous, since the API and the liar run in this one. */
  const verityCheck = async (id: string): Promise<{ status: number | null; stdout: string; stderr: string }> => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js'), '--transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), 'check', id, '--api-url', await liar.url, '--rpc-url', rpcUrl, '--settlement', settlement],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
  };

  beforeAll(async () => {
    app = await startTestApp();
    rpcUrl = (app.runtime.chain.publicClient.transport as { url?: string }).url ?? '';
    settlement = app.runtime.deployment.contracts.Settlement;
    verity = createVerityClient({ url: app.graphqlUrl, publicClient: app.runtime.chain.publicClient, settlement });
    liar = dishonestApi(app.graphqlUrl);
    worker = startWorkerProcess({ key: ANVIL_WORKER_KEYS[0], name: 'client-verify', apiUrl: app.graphqlUrl, rpcUrl });
  }, 120_000);

  afterAll(async () => {
    await verity?.close();
    liar?.server.close();
    if (worker) await stopWorkerProcess(worker);
    await app?.stop();
  });

  it('registers, requests and follows an inference to CHALLENGEABLE by subscription', async () => {
    const model = await verity.registerModel({
      name: 'mnist-mlp',
      onnxBase64: readFileSync(join(MNIST, 'mnist-mlp.onnx')).toString('base64'),
      calibration: (JSON.parse(readFileSync(join(MNIST, 'calibration.json'), 'utf8')) as { input_data: number[][] }).input_data,
    });
    const requested = await verity.requestInference({ modelId: model.id, input: loadMnistHoldout().inputs[0], mode: 'OPTIMISTIC' });
    expect(requested.status).toBe('REQUESTED');
    const seen: string[] = [];
    challengeable = await verity.waitForStatus(requested.id, ['CHALLENGEABLE'], { timeoutMs: 150_000, onStatus: (u) => seen.push(u.status) });
    expect(seen.at(-1)).toBe('CHALLENGEABLE');
    expect(challengeable.leafProof).not.toBeNull();
    expect((await verity.getInference(requested.requestId)).id).toBe(requested.id);
  }, 180_000);

  it('refuses a FINAL the API claims while the challenge window is open, and names WINDOW_OVER', async () => {
    const claimed = { ...challengeable, status: 'FINAL' as const };
    const report = await verity.checkResult(claimed);
    expect(report.failed).toEqual(['WINDOW_OVER']);
    await expect(verity.verifyResult(claimed)).rejects.toMatchObject({ code: 'RESULT_NOT_VERIFIED', details: { failed: ['WINDOW_OVER'] } });

    liar.tamper((inference) => (inference.status = 'FINAL'));
    const checked = await verityCheck(challengeable.id);
    expect(checked.status).toBe(1);
    expect(checked.stdout).toContain('the API says FINAL');
    expect(checked.stdout).toMatch(/FAIL {2}WINDOW_OVER/);
    expect(checked.stdout).toMatch(/pass {2}ROOT_ON_CHAIN/);
    expect(checked.stdout).toContain('NOT verified: WINDOW_OVER');
    liar.tamper(null);
  }, 180_000);

  it('builds a result signed by a key with no stake, committed in a real batch', async () => {
    const key = generatePrivateKey();
    const signer = privateKeyToAccount(key);
    const leaf: ResultLeaf = {
      requestId: keccak256(stringToHex('a request nobody staked for')),
      modelCommitment: challengeable.modelCommitment as Hex,
      inputCommitment: challengeable.inputCommitment as Hex,
      outputCommitment: challengeable.outputCommitment as Hex,
      traceCommitment: challengeable.traceCommitment as Hex,
      worker: signer.address,
    };
    const { publicClient, walletClient } = app.runtime.chain;
    const signature = await signer.signTypedData({ domain: verityDomain(app.runtime.chain.chain.id, settlement), types: RESULT_TYPES, primaryType: 'Result', message: leaf });
    const tree = buildResultTree([leaf]);
    const hash = await walletClient.writeContract({ address: settlement, abi: SettlementAbi, functionName: 'commitBatch', args: [tree.root, 1] });
    await publicClient.waitForTransactionReceipt({ hash });
    const batchId = await publicClient.readContract({ address: settlement, abi: SettlementAbi, functionName: 'batchCount' });
    unstakedForgery = {
      ...challengeable,
      requestId: leaf.requestId,
      worker: signer.address,
      workerSignature: signature,
      leafHash: hashResultLeaf(leaf),
      leafProof: tree.proof(0),
      batch: { ...challengeable.batch!, chainBatchId: batchId.toString(), root: tree.root },
    };
  }, 60_000);

  it('reaches FINAL once the window is over, and the chain agrees (verifyResult, verity check by request id)', async () => {
    const testClient = createTestClient({ chain: anvil, mode: 'anvil', transport: http(rpcUrl) });
    const window = await app.runtime.chain.publicClient.readContract({ address: settlement, abi: SettlementAbi, functionName: 'challengeWindow' });
    await testClient.increaseTime({ seconds: Number(window) + 1 });
    await testClient.mine({ blocks: 1 });
    const final = await verity.waitForFinal(challengeable.id, { timeoutMs: 120_000 });
    const report = await verity.verifyResult(final);
    expect(report.verified).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'OUTPUT_MATCHES_LEAF',
      'INPUT_MATCHES_LEAF',
      'LEAF_HASH',
      'MODEL_REGISTERED',
      'ROOT_ON_CHAIN',
      'WORKER_SIGNATURE',
      'SIGNER_STAKED',
      'WINDOW_OVER',
      'NO_OPEN_DISPUTE',
      'LEAF_NOT_DISCARDED',
    ]);

    const checked = await verityCheck(final.requestId);
    expect(checked.stderr).toBe('');
    expect(checked.status).toBe(0);
    expect(checked.stdout).toContain(`inference ${final.id}`);
    expect(checked.stdout).toContain('verified: every check passed');
  }, 180_000);

  it('refuses an output that is not the committed one, and names OUTPUT_MATCHES_LEAF', async () => {
    const final = await verity.getInference(challengeable.id);
    const tamper = (inference: any) => {
      inference.outputFixed = [...inference.outputFixed];
      inference.outputFixed[0] = (BigInt(inference.outputFixed[0]) + 1n).toString();
    };
    const shown = structuredClone(final);
    tamper(shown);
    expect((await verity.checkResult(shown)).failed).toEqual(['OUTPUT_MATCHES_LEAF']);

    liar.tamper(tamper);
    const checked = await verityCheck(final.id);
    expect(checked.status).toBe(1);
    expect(checked.stdout).toMatch(/FAIL {2}OUTPUT_MATCHES_LEAF/);
    expect(checked.stdout).toContain('NOT verified: OUTPUT_MATCHES_LEAF');
    liar.tamper(null);
  }, 180_000);

  it('refuses a batch the chain does not hold, and a leaf proof that leads elsewhere, naming ROOT_ON_CHAIN', async () => {
    const final = await verity.getInference(challengeable.id);
    const noBatch = await verity.checkResult({ ...final, batch: { ...final.batch!, chainBatchId: '999999' } });
    expect(noBatch.failed).toContain('ROOT_ON_CHAIN');
    expect(noBatch.checks.find((c) => c.name === 'ROOT_ON_CHAIN')!.detail).toMatch(/holds no batch 999999/);
    const elsewhere = await verity.checkResult({ ...final, leafProof: [keccak256(stringToHex('not a sibling'))] });
    expect(elsewhere.failed).toEqual(['ROOT_ON_CHAIN']);
  }, 60_000);

  it('refuses a result whose signer holds no stake, and names SIGNER_STAKED', async () => {
    const report = await verity.checkResult(unstakedForgery);
    expect(report.failed).toEqual(['SIGNER_STAKED']);
    expect(report.checks.find((c) => c.name === 'WORKER_SIGNATURE')!.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'ROOT_ON_CHAIN')!.ok).toBe(true);
  }, 60_000);

  it("throws the API's code for an unknown inference", async () => {
    await expect(verity.getInference('0x' + '00'.repeat(32))).rejects.toMatchObject({ code: 'INFERENCE_NOT_FOUND', category: 'NOT_FOUND' });
  });
});
