import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/database/embedded-postgres';

declare global {
  var __VERITY_TEST_POSTGRES__: EmbeddedPostgresHandle | undefined;
}

/**
 * One PostgreSQL for the whole run: the machine's when DATABASE_URL is set (CI's second pass),
 * otherwise the embedded one, started here exactly as `npm start` starts it. Each test file then
 * creates its own database in it (test/support/test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.VERITY_TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'verity-test-pg-'));
  const postgres = await startEmbeddedPostgres({ dataDir });
  globalThis.__VERITY_TEST_POSTGRES__ = postgres;
  process.env.VERITY_TEST_ADMIN_DATABASE_URL = postgres.url;
}
