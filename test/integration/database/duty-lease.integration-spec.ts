/**
 * The duty lease against PostgreSQL (src/database/duty-lease.ts): one holder at a time among
 * processes competing for one name, a new token at every change of holder, takeover only after
 * the row has expired, release on stop, and a holder that cannot renew stops its duties before
 * the row expires (so two holders never overlap, even when the database is out of reach).
 */
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../../src/database/data-source-options';
import { DutyLease, type LeaseDuty } from '../../../src/database/duty-lease';
import { migrateDatabase } from '../../../src/database/migrate';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { until } from '../../support/until';

const TTL_MS = 1_500;
const RENEW_MS = 300;
const quiet = { log: () => undefined, warn: () => undefined };

let database: TestDatabase;
const sources: DataSource[] = [];
const leases: DutyLease[] = [];

/** A process of its own: its own pool, its own lease on `name`, and the duty's start/stop record. */
async function competitor(name: string): Promise<{ lease: DutyLease; events: string[]; source: DataSource }> {
  const source = new DataSource(dataSourceOptions(database.url, 2));
  await source.initialize();
  sources.push(source);
  const lease = new DutyLease(source, name, { ttlMs: TTL_MS, renewMs: RENEW_MS, log: quiet });
  leases.push(lease);
  const events: string[] = [];
  const duty: LeaseDuty = { start: (token) => void events.push(`start ${token}`), stop: () => void events.push('stop') };
  await lease.add(duty);
  return { lease, events, source };
}

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateDatabase(database.url);
});

afterAll(async () => {
  for (const lease of leases) await lease.stop().catch(() => undefined);
  for (const source of sources) if (source.isInitialized) await source.destroy();
  await database?.drop();
});

describe('DutyLease', () => {
  it('gives a name to one holder at a time; the other takes it only after the holder stops renewing', async () => {
    const a = await competitor('account:one');
    const b = await competitor('account:one');
    await a.lease.start();
    await b.lease.start();
    expect(a.lease.held).toBe(true);
    expect(b.lease.held).toBe(false);
    expect(a.events).toEqual(['start 1']);

    // Several renewals later, still A's alone.
    await new Promise((resolve) => setTimeout(resolve, 3 * RENEW_MS));
    expect([a.lease.held, b.lease.held]).toEqual([true, false]);
    expect(b.events).toEqual([]);

    // A's database goes away (a partition, a stalled host): A gives the duty up by itself, before the
    // row expires, and only then can B take it, with the next token.
    await a.source.destroy();
    await until('A to give the lease up', async () => a.events.includes('stop'), 5_000);
    expect(b.lease.held).toBe(false);
    await until('B to take the lease', async () => b.lease.held, 5_000);
    expect(b.events).toEqual(['start 2']);
    expect(b.lease.token).toBe(2n);
    expect(a.lease.held).toBe(false);
  });

  it('never lets two holders overlap: at every sample at most one of three competitors holds the name', async () => {
    const trio = [await competitor('account:two'), await competitor('account:two'), await competitor('account:two')];
    for (const c of trio) await c.lease.start();
    let samples = 0;
    const deadline = Date.now() + 2_500;
    while (Date.now() < deadline) {
      expect(trio.filter((c) => c.lease.held).length).toBeLessThanOrEqual(1);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(samples).toBeGreaterThan(50);
    expect(trio.filter((c) => c.lease.held)).toHaveLength(1);
  });

  it('releases on stop, so a waiting process takes the name at its next attempt, not after the TTL', async () => {
    const a = await competitor('account:three');
    const b = await competitor('account:three');
    await a.lease.start();
    await b.lease.start();
    await a.lease.stop();
    expect(a.events).toEqual(['start 1', 'stop']);
    const waited = Date.now();
    await until('B to take the released lease', async () => b.lease.held, 5_000);
    expect(Date.now() - waited).toBeLessThan(TTL_MS);
    expect(b.lease.token).toBe(2n);
  });

  it('keeps names apart: holding one says nothing about another', async () => {
    const one = await competitor('account:four');
    const other = await competitor('account:five');
    await one.lease.start();
    await other.lease.start();
    expect([one.lease.held, other.lease.held]).toEqual([true, true]);
  });
});
