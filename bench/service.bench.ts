/**
 * End-to-end service throughput and latency on the MNIST MLP: a dapp client sends requests over
 * GraphQL/HTTP (CONCURRENCY in flight), N `verity worker` processes compute them, the service
 * commits them on-chain. Figures from the database's own timestamps (one clock): throughput to
 * COMPUTED and to COMMITTED, latency request → computed and request → committed (p50/p99).
 * Then the engine's own throughput on the same model in the same run, for comparison.
 *
 *   npx ts-node --transpile-only bench/service.bench.ts [requests=2000] [workers=2] [concurrency=32]
 *
 * Uses embedded PostgreSQL and anvil (a temporary data directory) unless DATABASE_URL is set.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Client } from 'pg';
import { loadConfig } from '../src/config/load-config';
import { OnnxRuntimeBackend, quantizeInput, type QuantizedModel } from '../src/engine';
import { loadMnistHoldout } from '../src/engine/mnist/mnist-data';
import { startApi } from '../src/main';
import { startRuntime } from '../src/runtime/runtime';
import { ANVIL_WORKER_KEYS } from '../test/support/worker-auth';
import { startWorkerProcess, stopWorkerProcess } from '../test/support/worker-process';

const [REQUESTS, WORKERS, CONCURRENCY] = [2000, 2, 32].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    PORT: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    VERITY_DATA_DIR: mkdtempSync(join(tmpdir(), 'verity-bench-')),
  });
  const runtime = await startRuntime(config, pino({ level: 'warn' }));
  const app = await startApi(runtime);
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/graphql`;
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const mnist = join(__dirname, '..', 'test', 'fixtures', 'mnist');
  const registered = await gql(`mutation($input: RegisterModelInput!) { registerModel(input: $input) { id quantizedJson } }`, {
    input: {
      name: 'mnist-mlp',
      onnxBase64: readFileSync(join(mnist, 'mnist-mlp.onnx')).toString('base64'),
      calibration: (JSON.parse(readFileSync(join(mnist, 'calibration.json'), 'utf8')) as { input_data: number[][] }).input_data,
    },
  });
  const modelId = registered.registerModel.id as string;
  const model = JSON.parse(registered.registerModel.quantizedJson) as QuantizedModel;
  const rpcUrl = (runtime.chain.publicClient.transport as { url?: string }).url ?? '';
  const workers = ANVIL_WORKER_KEYS.slice(0, WORKERS).map((key, i) =>
    startWorkerProcess({ key, name: `bench-${i}`, apiUrl: url, rpcUrl, args: ['--max-batch', '64'] }),
  );
  const digits = loadMnistHoldout().inputs;
  const db = new Client({ connectionString: runtime.databaseUrl });
  await db.connect();
  const counts = async () =>
    (await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM inferences GROUP BY status')).rows;
  // wait for the workers to register before the clock starts
  for (let i = 0; i < 240; i++) {
    if (Number((await db.query('SELECT count(*) AS n FROM workers')).rows[0].n) >= WORKERS) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  console.log(`service bench: ${REQUESTS} MNIST requests, ${WORKERS} worker process(es), ${CONCURRENCY} requests in flight`);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        await gql(`mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id } }`, {
          input: { modelId, input: digits[i % digits.length], mode: 'OPTIMISTIC' },
        });
      }
    }),
  );
  const requestSeconds = (performance.now() - started) / 1000;
  for (let i = 0; i < 1200; i++) {
    const rows = await counts();
    const settled = rows.filter((r) => ['COMMITTED', 'CHALLENGEABLE', 'FINAL'].includes(r.status)).reduce((a, r) => a + Number(r.n), 0);
    if (settled >= REQUESTS) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const { rows } = await db.query<{ computed_ms: number; committed_ms: number; created: Date; computed: Date; committed: Date }>(
    `SELECT extract(epoch FROM computed_at - created_at) * 1000 AS computed_ms,
            extract(epoch FROM committed_at - created_at) * 1000 AS committed_ms,
            created_at AS created, computed_at AS computed, committed_at AS committed
       FROM inferences WHERE committed_at IS NOT NULL`,
  );
  const first = Math.min(...rows.map((r) => r.created.getTime()));
  const lastComputed = Math.max(...rows.map((r) => r.computed.getTime()));
  const lastCommitted = Math.max(...rows.map((r) => r.committed.getTime()));
  const computedMs = rows.map((r) => Number(r.computed_ms)).sort((a, b) => a - b);
  const committedMs = rows.map((r) => Number(r.committed_ms)).sort((a, b) => a - b);
  const batches = (await db.query('SELECT count(*) AS n, avg(leaf_count) AS size FROM result_batches')).rows[0];
  console.log(`requests accepted: ${(REQUESTS / requestSeconds).toFixed(0)}/s over HTTP (${requestSeconds.toFixed(1)} s)`);
  console.log(`settled: ${rows.length}/${REQUESTS}; throughput to COMPUTED ${(rows.length / ((lastComputed - first) / 1000)).toFixed(0)}/s, to COMMITTED ${(rows.length / ((lastCommitted - first) / 1000)).toFixed(0)}/s`);
  console.log(`latency to COMPUTED: p50 ${percentile(computedMs, 50).toFixed(0)} ms, p99 ${percentile(computedMs, 99).toFixed(0)} ms`);
  console.log(`latency to COMMITTED: p50 ${percentile(committedMs, 50).toFixed(0)} ms, p99 ${percentile(committedMs, 99).toFixed(0)} ms`);
  console.log(`batches: ${batches.n}, mean size ${Number(batches.size).toFixed(1)}`);

  await db.end();
  await Promise.all(workers.map(stopWorkerProcess));
  await app.close();
  await runtime.stop();

  const backend = await OnnxRuntimeBackend.create(model, { provider: 'cpu' });
  const batch = Array.from({ length: 64 }, (_, i) => quantizeInput(model, digits[i]));
  for (const [label, run] of [
    ['engine runFixedBatch', () => backend.runFixedBatch(batch)],
    ['engine runCommitted (what a worker runs)', () => backend.runCommitted(batch)],
  ] as const) {
    await run();
    const t0 = performance.now();
    let samples = 0;
    while (performance.now() - t0 < 3000) {
      await run();
      samples += batch.length;
    }
    console.log(`${label}, batch 64: ${(samples / ((performance.now() - t0) / 1000)).toFixed(0)} samples/s`);
  }
  await backend.release();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
