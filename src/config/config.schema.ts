import { z } from 'zod';
import { KNOWN_CHAIN_IDS } from './known-chains';

const PRIVATE_KEY_PATTERN = /^0x[0-9a-fA-F]{64}$/;

const port = z.coerce.number().int().min(0).max(65535);
/** One CORS_ORIGINS entry: `*`, or scheme://host with an optional port (`*`: any port). */
const CORS_ORIGIN_PATTERN = /^(\*|https?:\/\/([^/\s*:[\]]+|\[[0-9a-fA-F:]+\])(:(\d{1,5}|\*))?)$/;
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/** Where a worker reaches the API when VERITY_API_URL is unset. */
export const DEFAULT_VERITY_API_URL = 'http://127.0.0.1:4000/graphql';

/** Every variable any process reads, before the per-process rules below. */
const ENV_FIELDS = z.object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: port.default(4000),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(6000),
    // browser origins allowed to call the API (CORS), comma-separated: https://app.example.com,
    // http://localhost:* (any port), or * (any origin); unset: none in production, this machine's
    // (http://localhost:*, http://127.0.0.1:*, http://[::1]:*) otherwise
    CORS_ORIGINS: optionalString.pipe(
      z
        .string()
        .transform((value) => value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''))
        .superRefine((origins, ctx) => {
          for (const origin of origins.filter((entry) => !CORS_ORIGIN_PATTERN.test(entry))) {
            ctx.addIssue({
              code: 'custom',
              message: `"${origin}" is not an origin: each entry is scheme://host[:port] (port * for any port) or *`,
            });
          }
        })
        .optional(),
    ),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    VERITY_DATA_DIR: z.string().default('.verity'),
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    EMBEDDED_POSTGRES_PORT: port.default(0),
    RPC_URL: optionalString.pipe(z.url({ protocol: /^(https?|wss?)$/ }).optional()),
    CHAIN_ID: z.coerce
      .number()
      .int()
      .refine((id) => KNOWN_CHAIN_IDS.has(id), {
        message: `unknown chain; supported chain ids: ${[...KNOWN_CHAIN_IDS.keys()].join(', ')}`,
      })
      .optional(),
    PRIVATE_KEY: optionalString.pipe(
      z.string().regex(PRIVATE_KEY_PATTERN, 'must be 0x followed by 64 hex digits').optional(),
    ),
    ANVIL_PORT: port.default(0),
    // the embedded anvil: a block every this many seconds as well as one per transaction (0: only
    // per transaction, chain time then stands still between transactions), and how often its
    // chain is saved to $VERITY_DATA_DIR/anvil/state.json (a kill -9 loses at most that much)
    ANVIL_BLOCK_TIME_SECONDS: z.coerce.number().int().min(0).max(3600).default(2),
    ANVIL_STATE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(1),
    DEPLOYMENTS_DIR: z.string().optional(),
    // zk mode: where compiled circuits, keys and development ptaus are cached (shared across
    // checkouts), an operator's ceremony ptau, the constraint budget and prover threads.
    ZK_CACHE_DIR: optionalString,
    VERITY_PTAU_PATH: optionalString,
    ZK_MAX_PTAU_POWER: z.coerce.number().int().min(8).max(28).default(15),
    ZK_PROVER_THREADS: z.coerce.number().int().min(1).max(64).default(1),
    // `verity worker` (the service ignores these)
    VERITY_API_URL: z.url({ protocol: /^https?$/ }).default(DEFAULT_VERITY_API_URL),
    WORKER_PRIVATE_KEY: optionalString.pipe(
      z.string().regex(PRIVATE_KEY_PATTERN, 'must be 0x followed by 64 hex digits').optional(),
    ),
    WORKER_NAME: optionalString.pipe(z.string().max(100, 'must be at most 100 characters').optional()),
    WORKER_PROVIDER: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
    // optimistic mode: the service answers disputes on the results it committed (off only to
    // watch a silent defender lose on time, in tests and drills)
    DISPUTE_DEFENDER: z.enum(['on', 'off']).default('on'),
    // where the dispute watcher and defender run (docs/service.md, "The defender process"): unset,
    // `verity serve` starts `verity defender` as a child process and programs that embed the API
    // (the test suite) run them in-process; `external`: another `verity defender` runs them
    DEFENDER_MODE: z.enum(['child', 'in-process', 'external']).optional(),
    // `verity defender`: its own key for dispute moves (never the committer's: separate nonces)
    DEFENDER_PRIVATE_KEY: optionalString.pipe(
      z.string().regex(PRIVATE_KEY_PATTERN, 'must be 0x followed by 64 hex digits').optional(),
    ),
    // the fair queue (src/workers/fair-queue.ts): what one worker may hold, how long a lease may
    // live, and how lapsed claims throttle, exclude a worker and fail a request
    QUEUE_MAX_HELD_JOBS: z.coerce.number().int().min(1).max(100_000).default(128),
    QUEUE_MAX_LEASE_LIFETIME_SECONDS: z.coerce.number().int().min(2).max(86_400).default(300),
    QUEUE_LAPSE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(604_800).default(3600),
    QUEUE_THROTTLE_AFTER_LAPSES: z.coerce.number().int().min(1).max(1000).default(3),
    QUEUE_EXCLUDE_AFTER_LAPSES: z.coerce.number().int().min(2).max(1000).default(6),
    QUEUE_FAIL_AFTER_LAPSED_WORKERS: z.coerce
      .number()
      .int()
      .min(2, 'must be at least 2: one worker alone never fails a request')
      .max(1000)
      .default(3),
    // `verity challenger` (the service ignores it): the key that opens disputes and posts bonds
    CHALLENGER_PRIVATE_KEY: optionalString.pipe(
      z.string().regex(PRIVATE_KEY_PATTERN, 'must be 0x followed by 64 hex digits').optional(),
    ),
  });

/**
 * The whole environment the service processes read. Every variable is optional: with none set,
 * Verity runs on an embedded PostgreSQL and a local anvil chain.
 */
export const ENV_SCHEMA = ENV_FIELDS.superRefine((env, ctx) => {
  if (env.QUEUE_EXCLUDE_AFTER_LAPSES <= env.QUEUE_THROTTLE_AFTER_LAPSES) {
    ctx.addIssue({
      code: 'custom',
      path: ['QUEUE_EXCLUDE_AFTER_LAPSES'],
      message: `must be above QUEUE_THROTTLE_AFTER_LAPSES (${env.QUEUE_THROTTLE_AFTER_LAPSES}): a worker is throttled before it is excluded`,
    });
  }
  if (env.RPC_URL !== undefined && env.PRIVATE_KEY === undefined) {
    ctx.addIssue({ code: 'custom', path: ['PRIVATE_KEY'], message: 'is required when RPC_URL is set' });
  }
  if (env.RPC_URL !== undefined && env.CHAIN_ID === undefined) {
    ctx.addIssue({ code: 'custom', path: ['CHAIN_ID'], message: 'is required when RPC_URL is set' });
  }
  defenderKeyIsItsOwn(env, ctx);
});

/** DEFENDER_PRIVATE_KEY must not be the committer's PRIVATE_KEY: both would race for one account's nonces. */
function defenderKeyIsItsOwn(env: z.infer<typeof ENV_FIELDS>, ctx: z.RefinementCtx): void {
  if (
    env.DEFENDER_PRIVATE_KEY !== undefined &&
    env.PRIVATE_KEY !== undefined &&
    env.DEFENDER_PRIVATE_KEY.toLowerCase() === env.PRIVATE_KEY.toLowerCase()
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['DEFENDER_PRIVATE_KEY'],
      message: "must differ from PRIVATE_KEY: the defender sends its moves with its own account, never the committer's nonces",
    });
  }
}

/**
 * The environment of `verity defender`: the service's database and chain (a parent `verity serve`
 * passes its own, embedded or not) and the defender's own key. PRIVATE_KEY is not needed: the
 * defender never commits, registers or deploys.
 */
export const DEFENDER_ENV_SCHEMA = ENV_FIELDS.superRefine((env, ctx) => {
  const required: [keyof typeof env, string][] = [
    ['DATABASE_URL', "the service's PostgreSQL (`verity serve` passes its own to the child it starts)"],
    ['RPC_URL', 'the node of the chain the results are committed on'],
    ['CHAIN_ID', 'the chain RPC_URL serves'],
    ['DEFENDER_PRIVATE_KEY', 'the key that sends dispute moves (its own account, funded for gas), 0x followed by 64 hex digits'],
  ];
  for (const [name, what] of required) {
    if (env[name] === undefined) {
      ctx.addIssue({ code: 'custom', path: [name], message: `is required by \`verity defender\`: ${what}` });
    }
  }
  defenderKeyIsItsOwn(env, ctx);
});

/**
 * The environment of `verity worker`: its own signing key is required; RPC_URL (used only to
 * stake) needs neither the service's PRIVATE_KEY nor CHAIN_ID (the chain id comes from the API
 * and is checked against the node).
 */
export const WORKER_ENV_SCHEMA = ENV_FIELDS.superRefine((env, ctx) => {
  if (env.WORKER_PRIVATE_KEY === undefined) {
    ctx.addIssue({ code: 'custom', path: ['WORKER_PRIVATE_KEY'], message: "is required by `verity worker`: the worker's signing key, 0x followed by 64 hex digits" });
  }
});

/**
 * The environment of `verity challenger`: its own key is required, and the node it watches
 * (RPC_URL; the chain id and contract addresses come from the API and are checked against it).
 */
export const CHALLENGER_ENV_SCHEMA = ENV_FIELDS.superRefine((env, ctx) => {
  if (env.CHALLENGER_PRIVATE_KEY === undefined) {
    ctx.addIssue({ code: 'custom', path: ['CHALLENGER_PRIVATE_KEY'], message: "is required by `verity challenger`: the key that posts bonds and moves, 0x followed by 64 hex digits" });
  }
  if (env.RPC_URL === undefined) {
    ctx.addIssue({ code: 'custom', path: ['RPC_URL'], message: 'is required by `verity challenger`: the node of the chain the results are committed on' });
  }
});

/**
 * The environment of the API's command-line clients that hold no key (`verity check`): the API,
 * the node and the data dir, each optional (their flags win); none of the service's rules.
 */
export const CLIENT_ENV_SCHEMA = ENV_FIELDS;

export type Env = z.infer<typeof ENV_SCHEMA>;
