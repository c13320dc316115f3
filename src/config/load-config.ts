import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ConfigError, invalidConfig } from './config.errors';
import {
  CHALLENGER_ENV_SCHEMA,
  CLIENT_ENV_SCHEMA,
  DEFENDER_ENV_SCHEMA,
  ENV_SCHEMA,
  WORKER_ENV_SCHEMA,
  type Env,
} from './config.schema';
import { KNOWN_CHAIN_IDS } from './known-chains';
import type { Chain } from 'viem';
import type { z } from 'zod';

/** The fair queue's limits (src/workers/fair-queue.ts applies them). */
export interface QueueLimits {
  maxHeldJobs: number;
  maxLeaseLifetimeSeconds: number;
  lapseWindowSeconds: number;
  throttleAfterLapses: number;
  excludeAfterLapses: number;
  failAfterLapsedWorkers: number;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    rateLimitPerMinute: number;
    /** CORS_ORIGINS: browser origins allowed to call the API (`*`, or an origin whose port may be `*`). */
    corsOrigins: readonly string[];
  };
  logLevel: string;
  dataDir: string;
  database: { url?: string; poolSize: number; embeddedPort: number };
  chain: {
    rpcUrl?: string;
    chain?: Chain;
    privateKey?: `0x${string}`;
    anvilPort: number;
    /** ANVIL_BLOCK_TIME_SECONDS: the embedded anvil's interval blocks (0: only one per transaction). */
    anvilBlockTimeSeconds: number;
    /** ANVIL_STATE_INTERVAL_SECONDS: how often the embedded anvil saves its chain to the data dir. */
    anvilStateIntervalSeconds: number;
    deploymentsDir: string;
  };
  worker: WorkerEnvConfig;
  zk: ZkConfig;
  /** DISPUTE_DEFENDER: whether the service answers disputes on the results it committed. */
  disputes: { defend: boolean };
  /** QUEUE_*: the fair queue's limits (src/workers/fair-queue.ts). */
  queue: QueueLimits;
  defender: DefenderConfig;
}

/**
 * Where the dispute watcher and defender run: `child`, a `verity defender` process that `verity
 * serve` starts and restarts; `in-process`, on the API's event loop (tests); `external`, a
 * `verity defender` someone else runs (docker/compose.yaml).
 */
export type DefenderMode = 'child' | 'in-process' | 'external';

export interface DefenderConfig {
  /** DEFENDER_MODE, resolved (its default depends on the program: loadConfig's `defaults`). */
  mode: DefenderMode;
  /** Whether this process runs the dispute loops: the API in-process, and `verity defender`. */
  runsLoops: boolean;
  /** DEFENDER_PRIVATE_KEY: the defender's own key (always set in loadDefenderConfig's result). */
  privateKey?: `0x${string}`;
}

export interface LoadConfigDefaults {
  /** DEFENDER_MODE when unset: `child` under `verity serve`, `in-process` elsewhere (the default). */
  defenderMode?: DefenderMode;
}

export interface ZkConfig {
  /** ZK_CACHE_DIR, default ~/.cache/verity/zk: circuits, keys and dev ptaus, by content hash. */
  cacheDir: string;
  /** VERITY_PTAU_PATH: a prepared phase-1 file from a public ceremony; unset: a development ptau. */
  ptauPath?: string;
  maxPtauPower: number;
  proverThreads: number;
}

export interface WorkerEnvConfig {
  /** GraphQL endpoint of the API (VERITY_API_URL). */
  apiUrl: string;
  /** WORKER_PRIVATE_KEY: always set in loadWorkerConfig's result. */
  privateKey?: `0x${string}`;
  name?: string;
  provider: 'auto' | 'cpu' | 'cuda';
}

/** What `verity worker` reads: its own settings, the log level, and RPC_URL (for --stake only). */
export interface WorkerConfig extends WorkerEnvConfig {
  privateKey: `0x${string}`;
  logLevel: string;
  rpcUrl?: string;
}

/** CORS_ORIGINS outside production when unset: pages served from this machine, on any port. */
export const LOCAL_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*'] as const;

function problemsOf(issues: readonly { path: readonly PropertyKey[]; message: string }[]): ConfigError {
  return invalidConfig(issues.map((issue) => `${issue.path.map(String).join('.') || 'env'}: ${issue.message}`));
}

/** The environment as `schema` reads it, or one ConfigError that lists every problem. */
function parseEnv<T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw problemsOf(parsed.error.issues);
  return parsed.data;
}

/**
 * The only place that reads the environment. Validates all of it and throws one ConfigError
 * listing every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: LoadConfigDefaults = {}): AppConfig {
  const e = parseEnv(ENV_SCHEMA, env);
  const mode = e.DEFENDER_MODE ?? defaults.defenderMode ?? 'in-process';
  if (mode === 'child' && e.RPC_URL !== undefined && e.DEFENDER_PRIVATE_KEY === undefined) {
    throw problemsOf([
      {
        path: ['DEFENDER_PRIVATE_KEY'],
        message:
          'is required when RPC_URL is set and the defender runs as a child process (DEFENDER_MODE=child, the default of `verity serve`): ' +
          'its own funded key for dispute moves; or set DEFENDER_MODE=external when a `verity defender` runs elsewhere',
      },
    ]);
  }
  return toAppConfig(e, { mode, runsLoops: mode === 'in-process' });
}

/**
 * The environment of `verity defender`, validated whole (DATABASE_URL, RPC_URL, CHAIN_ID and
 * DEFENDER_PRIVATE_KEY required); one ConfigError lists every problem. Its chain key is the
 * defender's: every transaction it sends is a dispute move.
 */
export function loadDefenderConfig(env: NodeJS.ProcessEnv = process.env): AppConfig & { defender: { privateKey: `0x${string}` } } {
  const e = parseEnv(DEFENDER_ENV_SCHEMA, env);
  const privateKey = e.DEFENDER_PRIVATE_KEY as `0x${string}`;
  const config = toAppConfig(e, { mode: 'external', runsLoops: true, privateKey });
  return { ...config, defender: { ...config.defender, privateKey } };
}

function toAppConfig(e: Env, defender: Omit<DefenderConfig, 'privateKey'> & { privateKey?: `0x${string}` }): AppConfig {
  const dataDir = resolve(e.VERITY_DATA_DIR);
  return {
    nodeEnv: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
      corsOrigins: e.CORS_ORIGINS ?? (e.NODE_ENV === 'production' ? [] : LOCAL_CORS_ORIGINS),
    },
    logLevel: e.LOG_LEVEL,
    dataDir,
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, embeddedPort: e.EMBEDDED_POSTGRES_PORT },
    chain: {
      rpcUrl: e.RPC_URL,
      chain: e.CHAIN_ID === undefined ? undefined : KNOWN_CHAIN_IDS.get(e.CHAIN_ID),
      privateKey: e.PRIVATE_KEY as `0x${string}` | undefined,
      anvilPort: e.ANVIL_PORT,
      anvilBlockTimeSeconds: e.ANVIL_BLOCK_TIME_SECONDS,
      anvilStateIntervalSeconds: e.ANVIL_STATE_INTERVAL_SECONDS,
      deploymentsDir: resolve(e.DEPLOYMENTS_DIR ?? `${dataDir}/deployments`),
    },
    worker: {
      apiUrl: e.VERITY_API_URL,
      privateKey: e.WORKER_PRIVATE_KEY as `0x${string}` | undefined,
      name: e.WORKER_NAME,
      provider: e.WORKER_PROVIDER,
    },
    zk: {
      cacheDir: resolve(e.ZK_CACHE_DIR ?? join(homedir(), '.cache', 'verity', 'zk')),
      ptauPath: e.VERITY_PTAU_PATH === undefined ? undefined : resolve(e.VERITY_PTAU_PATH),
      maxPtauPower: e.ZK_MAX_PTAU_POWER,
      proverThreads: e.ZK_PROVER_THREADS,
    },
    disputes: { defend: e.DISPUTE_DEFENDER === 'on' },
    queue: {
      maxHeldJobs: e.QUEUE_MAX_HELD_JOBS,
      maxLeaseLifetimeSeconds: e.QUEUE_MAX_LEASE_LIFETIME_SECONDS,
      lapseWindowSeconds: e.QUEUE_LAPSE_WINDOW_SECONDS,
      throttleAfterLapses: e.QUEUE_THROTTLE_AFTER_LAPSES,
      excludeAfterLapses: e.QUEUE_EXCLUDE_AFTER_LAPSES,
      failAfterLapsedWorkers: e.QUEUE_FAIL_AFTER_LAPSED_WORKERS,
    },
    defender: {
      mode: defender.mode,
      runsLoops: defender.runsLoops,
      privateKey: defender.privateKey ?? (e.DEFENDER_PRIVATE_KEY as `0x${string}` | undefined),
    },
  };
}

/** The environment of `verity worker`, validated whole (WORKER_PRIVATE_KEY required); one ConfigError lists every problem. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnv(WORKER_ENV_SCHEMA, env);
  return {
    apiUrl: e.VERITY_API_URL,
    privateKey: e.WORKER_PRIVATE_KEY as `0x${string}`,
    name: e.WORKER_NAME,
    provider: e.WORKER_PROVIDER,
    logLevel: e.LOG_LEVEL,
    rpcUrl: e.RPC_URL,
  };
}

/** What `verity challenger` reads: its key, the API it fetches results from, the node it plays on. */
export interface ChallengerConfig {
  apiUrl: string;
  privateKey: `0x${string}`;
  rpcUrl: string;
  logLevel: string;
}

/** The environment of `verity challenger`, validated whole; one ConfigError lists every problem. */
export function loadChallengerConfig(env: NodeJS.ProcessEnv = process.env): ChallengerConfig {
  const e = parseEnv(CHALLENGER_ENV_SCHEMA, env);
  return {
    apiUrl: e.VERITY_API_URL,
    privateKey: e.CHALLENGER_PRIVATE_KEY as `0x${string}`,
    rpcUrl: e.RPC_URL as string,
    logLevel: e.LOG_LEVEL,
  };
}

/** What `verity check` reads from the environment (its flags win over each). */
export interface ClientCommandConfig {
  apiUrl: string;
  rpcUrl?: string;
  /** Where `verity serve` records its deployments: the local source of a Settlement address. */
  deploymentsDir: string;
}

/** The environment of `verity check`, validated whole; one ConfigError lists every problem. */
export function loadClientCommandConfig(env: NodeJS.ProcessEnv = process.env): ClientCommandConfig {
  const parsed = CLIENT_ENV_SCHEMA.safeParse(env);
  if (!parsed.success) throw problemsOf(parsed.error.issues);
  const e = parsed.data;
  const dataDir = resolve(e.VERITY_DATA_DIR);
  return { apiUrl: e.VERITY_API_URL, rpcUrl: e.RPC_URL, deploymentsDir: resolve(e.DEPLOYMENTS_DIR ?? `${dataDir}/deployments`) };
}
