import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config';
import { startApi } from '../../src/main';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime/runtime';
import { createTestDatabase, type TestDatabase } from './test-database';

export interface TestApp {
  app: INestApplication;
  runtime: Runtime;
  baseUrl: string;
  graphqlUrl: string;
  stop(): Promise<void>;
}

/**
 * The real API process on a fresh database and a fresh anvil, on a free port. The anvil mines one
 * block per transaction unless `env` sets ANVIL_BLOCK_TIME_SECONDS (tests that warp chain time
 * choose that; a drill in real time chooses interval mining).
 */
export async function startTestApp(
  env: NodeJS.ProcessEnv = {},
  options: RuntimeOptions = {},
): Promise<TestApp> {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    VERITY_DATA_DIR: mkdtempSync(join(tmpdir(), 'verity-test-data-')),
    ANVIL_BLOCK_TIME_SECONDS: '0',
    ...env,
  });
  const runtime = await startRuntime(config, pino({ level: 'warn' }), options);
  const app = await startApi(runtime);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    runtime,
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    stop: async () => {
      await app.close();
      await runtime.stop();
      await database.drop();
    },
  };
}
