import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.VERITY_TEST_ADMIN_DATABASE_URL;
  if (!url) throw new Error('VERITY_TEST_ADMIN_DATABASE_URL is not set: run through jest (global setup)');
  return url;
}

async function withAdmin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database for one test file, in the run's PostgreSQL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `verity_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = adminUrl().replace(/\/[^/?]+(\?.*)?$/, `/${name}$1`);
  return {
    url,
    drop: () =>
      withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
