/**
 * The explorer at `/`, in a real headless Chromium: it lists the models (a name that is markup is
 * shown as text), a new inference appears in the recent list and follows its statuses live to
 * FINAL while an in-process worker computes it and the test moves the chain's clock past the
 * challenge window, its page shows the output and the batch, an unknown id gets a clear message,
 * and the page's snarkjs re-verifies a Groth16 proof under the page's Content-Security-Policy.
 * The API allows no browser origin but its own (CORS_ORIGINS names another), as in production.
 * Screenshots go to test-artifacts/ (or $VERITY_ARTIFACTS_DIR).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { createTestClient, createWalletClient, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { anvil } from 'viem/chains';
import { createDisputeClient } from '../../src/chain/dispute-client';
import { SettlementAbi } from '../../src/chain/generated/contracts';
import type { QuantizedModel } from '../../src/engine';
import { startWorker, type WorkerHandle } from '../../src/worker';
import { ProverPool } from '../../src/zk/prover';
import { artifactsDir, describeWithChromium, launchChromium } from '../support/chromium';
import { openArgsFromApi } from '../support/api-leaf';
import { graphqlRequest } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';
import { ANVIL_WORKER_KEYS } from '../support/worker-auth';
import { setUpTestCircuits } from '../support/zk-fixtures';

const FIXTURES = join(__dirname, '..', 'fixtures', 'onnx-conformance');
const REGISTER_MODEL = `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id name quantizedJson } }`;
const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) { status output batch { root chainBatchId txHash } } }`;
const LEAF = `query($id: ID!) { inference(id: $id) {
  status requestId worker workerSignature inputCommitment outputCommitment traceCommitment leafProof
  batch { chainBatchId } disputes { disputeId phase status }
} }`;
/** anvil's default account #5: a challenger disputing a correct result. */
const ROGUE_KEY: Hex = '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba';
const MARKUP_NAME = '<img src=x onerror="window.__explorerXss = 1"><b>bold</b>';
/** Waits in the browser: generous, since the whole pipeline (claim, compute, commit) runs meanwhile. */
const BROWSER_WAIT_MS = 90_000;

const onnx = (name: string) => readFileSync(join(FIXTURES, name, 'network.onnx')).toString('base64');

describeWithChromium('the explorer in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let worker: WorkerHandle | undefined;
  let modelId: string;
  let model: QuantizedModel;
  let markupModelId: string;
  /** What the page reported on its console or threw: a CSP refusal shows up here. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({ CORS_ORIGINS: 'https://elsewhere.example' });
    const gql = (query: string, variables: Record<string, unknown>) =>
      graphqlRequest(app.graphqlUrl, query, variables);
    const linear = await gql(REGISTER_MODEL, { input: { name: 'linear', onnxBase64: onnx('1l_linear') } });
    const markup = await gql(REGISTER_MODEL, { input: { name: MARKUP_NAME, onnxBase64: onnx('1l_relu') } });
    expect(linear.errors).toBeUndefined();
    expect(markup.errors).toBeUndefined();
    modelId = linear.data.registerModel.id;
    model = JSON.parse(linear.data.registerModel.quantizedJson) as QuantizedModel;
    markupModelId = markup.data.registerModel.id;

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        pageProblems.push(`${message.type()}: ${message.text()}`);
    });
  }, 180_000);

  const rpcUrl = () => (app.runtime.chain.publicClient.transport as { url?: string }).url;
  const moveChainTime = async (seconds: number) => {
    const testClient = createTestClient({ chain: anvil, mode: 'anvil', transport: http(rpcUrl()) });
    await testClient.increaseTime({ seconds });
    await testClient.mine({ blocks: 1 });
  };
  const leafOf = async (id: string) => (await graphqlRequest(app.graphqlUrl, LEAF, { id })).data.inference;

  /** Waits until the page's row of `id` shows `status`; on a timeout, says what the API and the row said. */
  const rowReaches = async (id: string, status: string) => {
    try {
      await page
        .locator(`tr[data-inference-id="${id}"] [data-status="${status}"]`)
        .waitFor({ timeout: BROWSER_WAIT_MS });
    } catch (error) {
      const api = await graphqlRequest(app.graphqlUrl, INFERENCE, { id });
      const row = await page
        .locator(`tr[data-inference-id="${id}"]`)
        .textContent({ timeout: 1_000 })
        .catch(() => null);
      throw new Error(
        `row never showed ${status}: the API says ${JSON.stringify(api)}, the row ${row}; page problems: ${pageProblems.join(' | ')}`,
        { cause: error },
      );
    }
  };

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await app?.stop();
  });

  it('lists the models, and shows a name that is markup as text', async () => {
    await page.goto(`${app.baseUrl}/`);
    await page.locator(`tr[data-model-id="${modelId}"] .model-name`).getByText('linear').waitFor();
    const shown = page.locator(`tr[data-model-id="${markupModelId}"] .model-name`);
    await shown.waitFor();
    expect(await shown.textContent()).toBe(MARKUP_NAME);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main b').count()).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as { __explorerXss?: number }).__explorerXss),
    ).toBeUndefined();
  });

  it('shows a new inference and follows it live to FINAL, then its output and batch', async () => {
    const requested = await graphqlRequest(app.graphqlUrl, REQUEST, {
      input: { modelId, input: [0.25], mode: 'OPTIMISTIC' },
    });
    expect(requested.errors).toBeUndefined();
    const id = requested.data.requestInference.id as string;
    const status = page.locator(`tr[data-inference-id="${id}"] [data-status]`);
    await status.waitFor({ timeout: BROWSER_WAIT_MS });
    expect(await status.getAttribute('data-status')).toBe('REQUESTED');

    worker = await startWorker({
      apiUrl: app.graphqlUrl,
      privateKey: ANVIL_WORKER_KEYS[0],
      stake: true,
      rpcUrl: rpcUrl(),
      provider: 'cpu',
      log: pino({ level: 'silent' }),
    });
    await rowReaches(id, 'CHALLENGEABLE');
    // the subscriptions' WebSocket is up (the statuses came over it, the list's poll only adds rows)
    expect(await page.locator('[data-link]').getAttribute('data-link')).toBe('live');

    const window = await app.runtime.chain.publicClient.readContract({
      address: app.runtime.deployment.contracts.Settlement,
      abi: SettlementAbi,
      functionName: 'challengeWindow',
    });
    await moveChainTime(Number(window) + 1);
    await rowReaches(id, 'FINAL');
    await page.screenshot({ path: join(artifactsDir(), 'explorer-home.png'), fullPage: true });

    const { data } = await graphqlRequest(app.graphqlUrl, INFERENCE, { id });
    expect(data.inference.status).toBe('FINAL');
    await page.locator(`tr[data-inference-id="${id}"] a`).click();
    const article = page.locator(`article[data-inference-id="${id}"]`);
    await article.locator('h2 [data-status="FINAL"]').waitFor();
    expect(await article.locator('.output').textContent()).toBe(
      `[${(data.inference.output as number[]).join(', ')}]`,
    );
    const batch = await article.locator('section.batch').textContent();
    expect(batch).toContain(`#${data.inference.batch.chainBatchId as string}`);
    expect(batch).toContain(data.inference.batch.root);
    expect(batch).toContain(data.inference.batch.txHash);
    expect(await article.locator('.window').textContent()).toMatch(/^closed at .*: the result is final$/);
    expect(await article.locator('.disputes').textContent()).toContain('No dispute over this result.');
    await page.screenshot({ path: join(artifactsDir(), 'explorer-inference.png'), fullPage: true });
  }, 240_000);

  it("shows a dispute's moves and both clocks while it is played, then its outcome", async () => {
    const requested = await graphqlRequest(app.graphqlUrl, REQUEST, {
      input: { modelId, input: [0.5], mode: 'OPTIMISTIC' },
    });
    const id = requested.data.requestInference.id as string;
    const row = await until('the result to be challengeable', async () => {
      const leaf = await leafOf(id);
      return leaf.status === 'CHALLENGEABLE' ? leaf : undefined;
    });
    const { publicClient } = app.runtime.chain;
    const rogue = createDisputeClient({
      game: app.runtime.deployment.contracts.DisputeGame,
      publicClient,
      walletClient: createWalletClient({
        account: privateKeyToAccount(ROGUE_KEY),
        chain: publicClient.chain,
        transport: http(rpcUrl()),
      }),
    });
    const { disputeId } = await rogue.openDispute(openArgsFromApi(model, row));
    await until('the service to answer the dispute', async () =>
      (await leafOf(id)).disputes.some((dispute: { phase: string }) => dispute.phase === 'AWAIT_TRACE_PICK'),
    );

    await page.goto(`${app.baseUrl}/#/inference/${id}`);
    const card = page.locator(`.dispute[data-dispute-id="${disputeId}"]`);
    await card.locator('table.moves').getByText('TracePageRevealed').waitFor();
    expect(await card.locator('h4').textContent()).toBe(`Dispute #${disputeId}: being played`);
    expect(await card.locator('table.moves tbody td:nth-child(4)').allTextContents()).toEqual([
      'DisputeOpened',
      'TracePageRevealed',
    ]);
    expect(await card.locator('table.clocks tr.to-move td:first-child').textContent()).toBe(
      'Challenger (to move)',
    );
    await page.screenshot({ path: join(artifactsDir(), 'explorer-dispute.png'), fullPage: true });

    // the challenger never moves again: its clock runs out, the service claims the timeout, and
    // the open page shows the outcome on its own
    await moveChainTime(Number(await rogue.maxClockSeconds()) + 1);
    await card
      .locator('h4')
      .getByText('the result stands (defender won) by TIMEOUT')
      .waitFor({ timeout: BROWSER_WAIT_MS });
    expect(await card.locator('table.moves tbody td:nth-child(4)').allTextContents()).toEqual([
      'DisputeOpened',
      'TracePageRevealed',
      'DisputeResolved',
      'BondCredited',
    ]);
    expect(await card.locator('table.clocks tr.to-move').count()).toBe(0);
  }, 240_000);

  it('says clearly that an unknown inference id does not exist', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'no-such-id<i>x</i>']) {
      await page.goto(`${app.baseUrl}/#/inference/${encodeURIComponent(id)}`);
      const message = page.locator('.not-found[role="alert"] h2');
      await message.waitFor();
      expect(await message.textContent()).toBe(`No inference with id ${id}`);
      expect(await page.locator('main i').count()).toBe(0);
    }
  });

  it("re-verifies a Groth16 proof with the page's snarkjs, under its CSP, and rejects a tampered one", async () => {
    const { one } = await setUpTestCircuits();
    const pool = new ProverPool({ size: 1 });
    const proved = await pool
      .prove({ wasmPath: one.circuit.wasmPath, zkeyPath: one.key.zkeyPath, input: { x: 7n, y: 6n } })
      .finally(() => pool.close());
    expect(proved.publicSignals).toEqual(['42', '6']);
    await page.goto(`${app.baseUrl}/`);
    // a string, so that the compiled spec's module system does not rewrite the page's import()
    const args = JSON.stringify({
      key: JSON.stringify(one.key.verificationKey),
      proof: JSON.stringify(proved.proof),
      signals: proved.publicSignals,
    });
    const verdicts = await page.evaluate(`(async ({ key, proof, signals }) => {
      const zk = await import('/explorer/zk-verify.js');
      return [await zk.verifyGroth16(key, signals, proof), await zk.verifyGroth16(key, ['43', '6'], proof)];
    })(${args})`);
    expect(verdicts).toEqual([true, false]);
  }, 180_000);

  it('ran without a script error or a Content-Security-Policy refusal in the page', () => {
    expect(pageProblems).toEqual([]);
  });
});
