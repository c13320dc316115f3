import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startAnvil, ANVIL_DEFAULT_PRIVATE_KEY } from '../chain/anvil';
import { createChainClients, type ChainClients } from '../chain/chain-clients';
import {
  DEV_PROTOCOL_PARAMETERS,
  deploymentFile,
  resolveDeployment,
  type Deployment,
  type ProtocolParameters,
} from '../chain/deployments';
import type { AppConfig } from '../config/load-config';
import { assertDatabaseReachable } from '../database/database-check';
import { startEmbeddedPostgres } from '../database/embedded-postgres';
import { connectChain } from './connect-chain';

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
  /**
   * Why the chain is not the one the data dir recorded (another genesis block, contracts missing
   * or with other code), when it is not: the contracts were deployed again, and the settlement
   * module commits every result again before any can become FINAL (src/settlement/chain-identity-guard.ts).
   */
  chainChanged?: string;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  /** Protocol parameters of a fresh deployment (tests and drills use short windows and clocks). */
  protocolParameters?: ProtocolParameters;
}

/** Where the embedded anvil keeps its chain, inside the data dir. */
export function anvilStatePath(dataDir: string): string {
  return join(dataDir, 'anvil', 'state.json');
}

export async function startRuntime(config: AppConfig, log: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error: unknown) => log.error({ err: error }, 'stop failed'));
  };
  try {
    const databaseUrl = await resolveDatabase(config, log, stops);
    const chain = await resolveChain(config, log, stops);
    const { deployment, chainChanged } = await resolveDeployment(
      chain,
      config.chain.deploymentsDir,
      options.protocolParameters ?? DEV_PROTOCOL_PARAMETERS,
    );
    if (chainChanged !== undefined) {
      log.warn(
        `CHAIN CHANGED: the chain is not the one ${deploymentFile(config.chain.deploymentsDir, chain.chain.id)} recorded (${chainChanged}); contracts deployed again, and no result becomes FINAL until it is committed again on this chain`,
      );
    }
    log.info({ chainId: chain.chain.id, contracts: deployment.contracts }, 'contracts ready');
    return {
      config,
      databaseUrl,
      chain,
      deployment,
      embedded: { database: config.database.url === undefined, chain: config.chain.rpcUrl === undefined },
      chainChanged,
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
    return connectChain({
      rpcUrl: config.chain.rpcUrl,
      privateKey: config.chain.privateKey,
      chain: config.chain.chain,
    });
  }
  const statePath = anvilStatePath(config.dataDir);
  mkdirSync(join(config.dataDir, 'anvil'), { recursive: true });
  const anvil = await startAnvil({
    port: config.chain.anvilPort,
    blockTimeSeconds: config.chain.anvilBlockTimeSeconds,
    statePath,
    stateIntervalSeconds: config.chain.anvilStateIntervalSeconds,
  });
  stops.push(() => anvil.stop());
  if (anvil.stateWarning) log.warn(anvil.stateWarning);
  log.info(
    { rpcUrl: anvil.rpcUrl, statePath, blockTimeSeconds: config.chain.anvilBlockTimeSeconds || 'per transaction only' },
    'anvil started (its chain is kept in the data dir)',
  );
  return createChainClients({ rpcUrl: anvil.rpcUrl, privateKey: config.chain.privateKey ?? ANVIL_DEFAULT_PRIVATE_KEY });
}
