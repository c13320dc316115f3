import type { Command } from 'commander';
import pino from 'pino';
import { loadConfig } from '../config/load-config';
import { startRuntime } from '../runtime/runtime';
import { migrateDatabase } from '../database/migrate';
import { startApi } from '../main';

/** `verity serve` and `verity db:migrate`. */
export function registerServiceCommands(program: Command): void {
  program
    .command('serve')
    .description('run the GraphQL API (embedded PostgreSQL and anvil unless DATABASE_URL / RPC_URL are set)')
    .action(async () => {
      const config = loadConfig();
      const log = pino({ level: config.logLevel });
      const runtime = await startRuntime(config, log);
      const app = await startApi(runtime).catch(async (error: unknown) => {
        await runtime.stop();
        throw error;
      });
      const base = `http://${config.http.host}:${config.http.port}`;
      log.info(`Verity API ready: GraphQL ${base}/graphql (ws subscriptions on the same path), health ${base}/health`);
      onShutdown(log, async () => {
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
