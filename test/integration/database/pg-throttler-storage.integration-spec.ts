/**
 * The rate limiter's counters in PostgreSQL (src/database/pg-throttler-storage.ts): two API
 * replicas (two pools, two storages) counting one caller's concurrent requests together never let
 * more than the limit through, a new window starts afresh, and a block outlives its window.
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../src/database/data-source-options';
import { migrateDatabase } from '../../../src/database/migrate';
import { PgThrottlerStorage } from '../../../src/database/pg-throttler-storage';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

let database: TestDatabase;
const sources: DataSource[] = [];
const storages: PgThrottlerStorage[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateDatabase(database.url);
  for (let i = 0; i < 2; i++) {
    const source = new DataSource(dataSourceOptions(database.url, 8));
    await source.initialize();
    sources.push(source);
    storages.push(new PgThrottlerStorage(source));
  }
});

afterAll(async () => {
  for (const storage of storages) storage.close();
  for (const source of sources) await source.destroy();
  await database?.drop();
});

describe('PgThrottlerStorage', () => {
  it('lets exactly the limit through across two replicas hit at once, and blocks the rest', async () => {
    const hits = await Promise.all(
      Array.from({ length: 40 }, (_, i) => storages[i % 2].increment('caller-a', 60_000, 10, 60_000, 'per-minute')),
    );
    expect(hits.filter((hit) => !hit.isBlocked)).toHaveLength(10);
    expect(hits.map((hit) => hit.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const blocked = hits.find((hit) => hit.isBlocked)!;
    expect(blocked.timeToBlockExpire).toBeGreaterThan(55);
    expect(blocked.timeToBlockExpire).toBeLessThanOrEqual(60);
    // Another caller, or the same caller under another throttler, has its own count.
    expect((await storages[1].increment('caller-b', 60_000, 10, 60_000, 'per-minute')).totalHits).toBe(1);
    expect((await storages[0].increment('caller-a', 60_000, 10, 60_000, 'per-second')).isBlocked).toBe(false);
  });

  it('starts a new window after the old one ends, unless the key is still blocked', async () => {
    const first = await storages[0].increment('caller-c', 300, 1, 300, 'short');
    expect(first).toMatchObject({ totalHits: 1, isBlocked: false });
    expect((await storages[1].increment('caller-c', 300, 1, 1_500, 'short')).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The window is over but the block (1.5 s) is not.
    expect((await storages[0].increment('caller-c', 300, 1, 1_500, 'short')).isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const fresh = await storages[1].increment('caller-c', 300, 1, 1_500, 'short');
    expect(fresh).toMatchObject({ totalHits: 1, isBlocked: false, timeToBlockExpire: 0 });
  });
});
