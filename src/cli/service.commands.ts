import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../config/load-config';
import { startRuntime } from '../runtime/runtime';
import { migrateDatabase } from '../database/migrate';
import { startApi } from '../main';
import type { AddressInfo } from 'node:net';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEFENDER_PRIVATE_KEY, ANVIL_WORKER_PRIVATE_KEY } from '../chain/anvil';
import { DefenderChild } from '../defender/defender-child';
import { ConfigError } from '../config/config.errors';
import type { Runtime } from '../runtime/runtime';
import { startWorker, type WorkerHandle } from '../worker';

/** `verity serve` and `verity db:migrate`. */
export function registerServiceCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'run the GraphQL API (embedded PostgreSQL and anvil unless DATABASE_URL / RPC_URL are set) and, unless DEFENDER_MODE says otherwise, `verity defender` as a child process',
    )
    .option('--with-worker', 'also run a worker in this process (development: anvil account #1 unless WORKER_PRIVATE_KEY is set)')
    .action(async (options: { withWorker?: boolean }) => {
      const config = loadConfig(process.env, { defenderMode: 'child' });
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
      let defender: DefenderChild | undefined;
      try {
        defender = config.defender.mode === 'child' ? startDefenderChild(runtime, log) : undefined;
      } catch (error) {
        await worker?.stop();
        await app.close();
        await runtime.stop();
        throw error;
      }
      if (config.defender.mode === 'external') {
        log.info('DEFENDER_MODE=external: disputes are answered by a `verity defender` run elsewhere (see /health)');
      }
      onShutdown(log, async () => {
        await worker?.stop();
        await defender?.stop();
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
 * `verity defender` as a child process (DEFENDER_MODE=child, the default of `verity serve`), on the
 * API's database and chain, embedded or not, with its own key: DEFENDER_PRIVATE_KEY, or on the
 * embedded anvil chain anvil's account #9, which nothing else in the service uses.
 */
function startDefenderChild(runtime: Runtime, log: pino.Logger): DefenderChild {
  const { config } = runtime;
  const key = config.defender.privateKey ?? (runtime.embedded.chain ? ANVIL_DEFENDER_PRIVATE_KEY : undefined);
  if (!key) {
    throw new ConfigError('DEFENDER_KEY_MISSING', 'a defender child on a chain other than the embedded anvil needs DEFENDER_PRIVATE_KEY');
  }
  if (privateKeyToAccount(key).address === runtime.chain.account.address) {
    throw new ConfigError(
      'DEFENDER_KEY_SHARED',
      "DEFENDER_PRIVATE_KEY is the service's own key: the defender needs an account of its own, so its moves never race the committer's nonces",
    );
  }
  const rpcUrl = (runtime.chain.publicClient.transport as { url?: string }).url;
  if (!rpcUrl) throw new ConfigError('DEFENDER_RPC_UNKNOWN', "the chain client's RPC URL is unknown: cannot pass it to the defender");
  const child = new DefenderChild({
    env: {
      DATABASE_URL: runtime.databaseUrl,
      RPC_URL: rpcUrl,
      CHAIN_ID: String(runtime.chain.chain.id),
      DEPLOYMENTS_DIR: config.chain.deploymentsDir,
      VERITY_DATA_DIR: config.dataDir,
      DEFENDER_PRIVATE_KEY: key,
      LOG_LEVEL: config.logLevel,
      DISPUTE_DEFENDER: config.disputes.defend ? 'on' : 'off',
    },
    log: log.child({ component: 'defender-supervisor' }),
  });
  child.start();
  return child;
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
