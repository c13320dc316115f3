import { z } from 'zod';
import { KNOWN_CHAIN_IDS } from './known-chains';

const PRIVATE_KEY_PATTERN = /^0x[0-9a-fA-F]{64}$/;

const port = z.coerce.number().int().min(0).max(65535);
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

/**
 * The whole environment the processes read. Every variable is optional: with none set, Verity runs
 * on an embedded PostgreSQL and a local anvil chain.
 */
export const ENV_SCHEMA = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('127.0.0.1'),
    PORT: port.default(4000),
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
    DEPLOYMENTS_DIR: z.string().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.RPC_URL !== undefined && env.PRIVATE_KEY === undefined) {
      ctx.addIssue({ code: 'custom', path: ['PRIVATE_KEY'], message: 'is required when RPC_URL is set' });
    }
    if (env.RPC_URL !== undefined && env.CHAIN_ID === undefined) {
      ctx.addIssue({ code: 'custom', path: ['CHAIN_ID'], message: 'is required when RPC_URL is set' });
    }
  });

export type Env = z.infer<typeof ENV_SCHEMA>;
