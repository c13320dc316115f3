import { Client } from 'pg';
import { DatabaseError } from './database.errors';

const CONNECT_TIMEOUT_MS = 5_000;

/** Connects once to fail fast with a clear message when DATABASE_URL is wrong or down. */
export async function assertDatabaseReachable(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DatabaseError('DATABASE_UNREACHABLE', `DATABASE_URL is unreachable: ${reason}`, {}, { cause });
  } finally {
    await client.end().catch(() => undefined);
  }
}
