import type { Logger } from 'pino';
import { startAnvil, ANVIL_DEFAULT_PRIVATE_KEY } from '../chain/anvil';
import { assertChainReachable, createChainClients, redactUrl, type ChainClients } from '../chain/chain-clients';
import { ensureDeployed, type Deployment } from '../chain/deployments';
import type { AppConfig } from '../config/load-config';
import { assertDatabaseReachable } from '../database/database-check';
import { startEmbeddedPostgres } from '../database/embedded-postgres';

/**
 * Everything a Verity process needs from outside: a database URL and a chain with Verity's
 * contracts deployed. With DATABASE_URL / RPC_URL unset, starts embedded PostgreSQL / anvil and
 * stops them in `stop()`.
 */
export interface Runtime {
  config: AppConfig;
  databaseUrl: string;
  chain: ChainClients;
  deployment: Deployment;
  embedded: { database: boolean; chain: boolean };
  stop(): Promise<void>;
}

export async function startRuntime(config: AppConfig, log: Logger): Promise<Runtime> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => log.error({ err: error }, 'stop failed'));
  };
  try {
    const databaseUrl = await resolveDatabase(config, log, stops);
    const chain = await resolveChain(config, log, stops);
    const deployment = await ensureDeployed(chain, config.chain.deploymentsDir);
    log.info({ chainId: chain.chain.id, contracts: deployment.contracts }, 'contracts ready');
    return {
      config,
      databaseUrl,
      chain,
      deployment,
      embedded: { database: config.database.url === undefined, chain: config.chain.rpcUrl === undefined },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function resolveDatabase(config: AppConfig, log: Logger, stops: (() => Promise<void>)[]): Promise<string> {
  if (config.database.url !== undefined) {
    await assertDatabaseReachable(config.database.url);
    return config.database.url;
  }
  const postgres = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.database.embeddedPort,
    log: (message) => log.info(message),
  });
  stops.push(() => postgres.stop());
  log.info({ port: postgres.port, dataDir: config.dataDir }, 'embedded PostgreSQL started');
  return postgres.url;
}

async function resolveChain(config: AppConfig, log: Logger, stops: (() => Promise<void>)[]): Promise<ChainClients> {
  if (config.chain.rpcUrl !== undefined && config.chain.privateKey !== undefined) {
    const clients = createChainClients({
      rpcUrl: config.chain.rpcUrl,
      privateKey: config.chain.privateKey,
      chain: config.chain.chain,
    });
    await assertChainReachable(clients, redactUrl(config.chain.rpcUrl));
    return clients;
  }
  const anvil = await startAnvil({ port: config.chain.anvilPort });
  stops.push(() => anvil.stop());
  log.info({ rpcUrl: anvil.rpcUrl }, 'anvil started');
  return createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: config.chain.privateKey ?? ANVIL_DEFAULT_PRIVATE_KEY });
}
