import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../config/load-config';
import { startRuntime } from '../runtime/runtime';
import { migrateDatabase } from '../database/migrate';
import { startApi } from '../main';
import type { AddressInfo } from 'node:net';
import { ANVIL_WORKER_PRIVATE_KEY } from '../chain/anvil';
import { ConfigError } from '../config/config.errors';
import type { Runtime } from '../runtime/runtime';
import { startWorker, type WorkerHandle } from '../worker';

/** `verity serve` and `verity db:migrate`. */
export function registerServiceCommands(program: Command): void {
  program
    .command('serve')
    .description('run the GraphQL API (embedded PostgreSQL and anvil unless DATABASE_URL / RPC_URL are set)')
    .option('--with-worker', 'also run a worker in this process (development: anvil account #1 unless WORKER_PRIVATE_KEY is set)')
    .action(async (options: { withWorker?: boolean }) => {
      const config = loadConfig();
      const log = pino({ level: config.logLevel });
      const runtime = await startRuntime(config, log);
      const app = await startApi(runtime).catch(async (error: unknown) => {
        await runtime.stop();
        throw error;
      });
      const { port } = app.getHttpServer().address() as AddressInfo;
      const base = `http://${config.http.host}:${port}`;
      log.info(`Verity API ready: GraphQL ${base}/graphql (ws subscriptions on the same path), health ${base}/health`);
      const worker = options.withWorker
        ? await startInProcessWorker(runtime, `${base}/graphql`, log).catch(async (error: unknown) => {
            await app.close();
            await runtime.stop();
            throw error;
          })
        : undefined;
      onShutdown(log, async () => {
        await worker?.stop();
        await app.close();
        await runtime.stop();
      });
    });

  program
    .command('db:migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      const config = loadConfig();
      const log = pino({ level: config.logLevel });
      const runtime = await startRuntime(config, log);
      try {
        const applied = await migrateDatabase(runtime.databaseUrl);
        log.info({ applied }, `applied ${applied.length} migration(s)`);
      } finally {
        await runtime.stop();
      }
    });
}

/**
 * A worker in the API process, for `npm start`: it talks to the API over HTTP like any other
 * worker. Its key is WORKER_PRIVATE_KEY, or on the embedded anvil chain anvil's account #1.
 */
async function startInProcessWorker(runtime: Runtime, apiUrl: string, log: pino.Logger): Promise<WorkerHandle> {
  const key = runtime.config.worker.privateKey ?? (runtime.embedded.chain ? ANVIL_WORKER_PRIVATE_KEY : undefined);
  if (!key) {
    throw new ConfigError('WORKER_KEY_MISSING', '--with-worker on a chain other than the embedded anvil needs WORKER_PRIVATE_KEY');
  }
  const rpcUrl = (runtime.chain.publicClient.transport as { url?: string }).url;
  return startWorker({
    apiUrl,
    privateKey: key,
    name: runtime.config.worker.name ?? 'in-process',
    provider: runtime.config.worker.provider,
    stake: true,
    rpcUrl,
    log: log.child({ component: 'worker' }),
  });
}

function onShutdown(log: pino.Logger, close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
