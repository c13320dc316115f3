/**
 * GET /metrics on the real API: Node's default metrics and Verity's own series are there from the
 * first scrape, a gauge read from the database moves after a request is made, and scraping is
 * outside the GraphQL rate limit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { graphqlRequest } from '../support/graphql-client';
import { scrapeMetrics } from '../support/prometheus';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

const MODEL = join(__dirname, '..', 'fixtures', 'onnx-conformance', '1l_linear', 'network.onnx');
const RATE_LIMIT_PER_MINUTE = 6;

describe('GET /metrics', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE) });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('serves the default Node metrics and every Verity series from the first scrape', async () => {
    const { status, contentType, samples } = await scrapeMetrics(app.baseUrl);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const series = [
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
      'verity_inferences{status="REQUESTED"}',
      'verity_inferences{status="COMMITTED"}',
      'verity_inferences{status="FINAL"}',
      'verity_queue_oldest_age_seconds',
      'verity_disputes{status="OPEN"}',
      'verity_disputes{status="DEFENDER_WON"}',
      'verity_disputes{status="CHALLENGER_WON"}',
      'verity_workers{seen="ever"}',
      'verity_workers{seen="5m"}',
      'verity_workers_stake_ether',
      'verity_up{check="database"}',
      'verity_up{check="chain"}',
      'verity_up{check="defender"}',
      'verity_chain_block_number',
      'verity_batch_size_results_count',
      'verity_batch_commit_latency_seconds_count',
      'verity_zk_prove_seconds_count',
    ];
    expect(series.filter((name) => !samples.has(name))).toEqual([]);
    expect(samples.get('verity_inferences{status="REQUESTED"}')).toBe(0);
    expect(samples.get('verity_up{check="database"}')).toBe(1);
    expect(samples.get('verity_up{check="chain"}')).toBe(1);
    expect(samples.get('verity_chain_block_number')).toBeGreaterThan(0);
    expect(samples.get('verity_batch_size_results_count')).toBe(0);
  });

  it('counts a request once it is made, and its wait in the queue', async () => {
    const registered = await graphqlRequest(app.graphqlUrl, `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id } }`, {
      input: { name: 'linear', onnxBase64: readFileSync(MODEL).toString('base64') },
    });
    expect(registered.errors).toBeUndefined();
    const requested = await graphqlRequest(app.graphqlUrl, `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`, {
      input: { modelId: registered.data.registerModel.id, input: [0.5], mode: 'OPTIMISTIC' },
    });
    expect(requested.errors).toBeUndefined();
    // scrapes within 2 s share one reading: the new count shows at the next one
    const samples = await until(
      'the request to show in /metrics',
      async () => {
        const scrape = await scrapeMetrics(app.baseUrl);
        return scrape.samples.get('verity_inferences{status="REQUESTED"}') === 1 ? scrape.samples : undefined;
      },
      30_000,
      500,
    );
    expect(samples.get('verity_queue_oldest_age_seconds')).toBeGreaterThan(0);
  });

  it('answers scrapes past the GraphQL rate limit, which it is not part of', async () => {
    const statuses = [];
    for (let i = 0; i < RATE_LIMIT_PER_MINUTE * 2; i++) statuses.push((await scrapeMetrics(app.baseUrl)).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const codes = [];
    for (let i = 0; i < RATE_LIMIT_PER_MINUTE + 1; i++) {
      codes.push((await graphqlRequest(app.graphqlUrl, '{ serviceStatus { version } }')).errors?.[0]?.extensions?.code);
    }
    expect(codes).toContain('RATE_LIMITED');
  });
});
