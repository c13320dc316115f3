import { resolve } from 'node:path';
import { ConfigError } from './config.errors';
import { ENV_SCHEMA } from './config.schema';
import { KNOWN_CHAIN_IDS } from './known-chains';
import type { Chain } from 'viem';

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  http: { host: string; port: number };
  logLevel: string;
  dataDir: string;
  database: { url?: string; poolSize: number; embeddedPort: number };
  chain: { rpcUrl?: string; chain?: Chain; privateKey?: `0x${string}`; anvilPort: number; deploymentsDir: string };
}

/**
 * The only place that reads the environment. Validates all of it and throws one ConfigError
 * listing every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = ENV_SCHEMA.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`));
  }
  const e = parsed.data;
  const dataDir = resolve(e.VERITY_DATA_DIR);
  return {
    nodeEnv: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    dataDir,
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, embeddedPort: e.EMBEDDED_POSTGRES_PORT },
    chain: {
      rpcUrl: e.RPC_URL,
      chain: e.CHAIN_ID === undefined ? undefined : KNOWN_CHAIN_IDS.get(e.CHAIN_ID),
      privateKey: e.PRIVATE_KEY as `0x${string}` | undefined,
      anvilPort: e.ANVIL_PORT,
      deploymentsDir: resolve(e.DEPLOYMENTS_DIR ?? `${dataDir}/deployments`),
    },
  };
}
