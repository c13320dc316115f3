import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Client } from 'pg';
import { startAnvil } from '../../src/chain/anvil';
import { loadConfig } from '../../src/config/load-config';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { startApi } from '../../src/main';
import { until } from '../support/until';
import { anvilStatePath, startRuntime } from '../../src/runtime/runtime';
import { createTestDatabase } from '../support/test-database';

const quiet = pino({ level: 'silent' });
const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe('the runtime', () => {
  it('initialises an embedded PostgreSQL once and keeps its data across restarts', async () => {
    const dataDir = tempDir('verity-embedded-');
    const first = await startEmbeddedPostgres({ dataDir });
    const client = new Client({ connectionString: first.url });
    await client.connect();
    await client.query('CREATE TABLE kept (value int)');
    await client.query('INSERT INTO kept VALUES (42)');
    await client.end();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir });
    const again = new Client({ connectionString: second.url });
    await again.connect();
    const { rows } = await again.query('SELECT value FROM kept');
    await again.end();
    await second.stop();
    expect(rows).toEqual([{ value: 42 }]);
  });

  it('keeps the embedded chain in the data dir across a restart, and says in one line when the chain is another one', async () => {
    const database = await createTestDatabase();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const env = {
      DATABASE_URL: database.url,
      VERITY_DATA_DIR: tempDir('verity-chain-'),
      ANVIL_BLOCK_TIME_SECONDS: '0',
    };
    const identity = async (runtime: Awaited<ReturnType<typeof startRuntime>>) => {
      const genesis = await runtime.chain.publicClient.getBlock({ blockNumber: 0n });
      return {
        genesis: genesis.hash,
        genesisTime: genesis.timestamp,
        head: await runtime.chain.publicClient.getBlockNumber({ cacheTime: 0 }),
        contracts: runtime.deployment.contracts,
      };
    };
    try {
      const first = await startRuntime(loadConfig(env), log);
      const before = await identity(first);
      await first.stop();

      const again = await startRuntime(loadConfig(env), log);
      const after = await identity(again);
      expect(after).toEqual(before);
      expect(again.chainChanged).toBeUndefined();
      await again.stop();
      expect(lines).toEqual([]);

      rmSync(anvilStatePath(env.VERITY_DATA_DIR));
      // anvil's genesis hash is a function of its start time in whole seconds: a fresh chain
      // started within the first one's second would be the same chain. Start it in a later second.
      await until(
        'a later second than the first genesis',
        () => Promise.resolve(BigInt(Math.floor(Date.now() / 1000)) > before.genesisTime ? true : undefined),
        100_000,
        100,
      );
      const fresh = await startRuntime(loadConfig(env), log);
      expect((await identity(fresh)).genesis).not.toBe(before.genesis);
      expect(fresh.chainChanged).toMatch(
        /^its genesis block is 0x[0-9a-f]{64}, not the recorded 0x[0-9a-f]{64}$/,
      );
      await fresh.stop();
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]).msg).toMatch(
        /^CHAIN CHANGED: the chain is not the one .*31337\.json recorded \(its genesis block is .*\); contracts deployed again, and no result becomes FINAL until it is committed again on this chain$/,
      );
    } finally {
      await database.drop();
    }
  });

  it('refuses an unreachable DATABASE_URL with one clear message', async () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      VERITY_DATA_DIR: tempDir('verity-'),
    });
    await expect(startRuntime(config, quiet)).rejects.toMatchObject({
      code: 'DATABASE_UNREACHABLE',
      message: expect.stringMatching(/^DATABASE_URL is unreachable: .*ECONNREFUSED/),
    });
  });

  it('refuses an RPC_URL that serves another chain than CHAIN_ID', async () => {
    const database = await createTestDatabase();
    const anvil = await startAnvil();
    try {
      const config = loadConfig({
        DATABASE_URL: database.url,
        RPC_URL: anvil.rpcUrl,
        CHAIN_ID: '1',
        PRIVATE_KEY: `0x${'11'.repeat(32)}`,
        VERITY_DATA_DIR: tempDir('verity-'),
      });
      await expect(startRuntime(config, quiet)).rejects.toMatchObject({ code: 'CHAIN_MISMATCH' });
    } finally {
      await anvil.stop();
      await database.drop();
    }
  });

  it('reuses recorded contract addresses on an external chain and says when the port is taken', async () => {
    const database = await createTestDatabase();
    const anvil = await startAnvil();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const takenPort = (blocker.address() as { port: number }).port;
    const env = {
      DATABASE_URL: database.url,
      RPC_URL: anvil.rpcUrl,
      CHAIN_ID: '31337',
      PRIVATE_KEY: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
      VERITY_DATA_DIR: tempDir('verity-'),
      PORT: String(takenPort),
    };
    try {
      const first = await startRuntime(loadConfig(env), quiet);
      const second = await startRuntime(loadConfig(env), quiet);
      expect(second.deployment.contracts).toEqual(first.deployment.contracts);
      await expect(startApi(second)).rejects.toMatchObject({
        code: 'PORT_IN_USE',
        message: expect.stringContaining(`port ${takenPort}`),
      });
      await first.stop();
      await second.stop();
    } finally {
      blocker.close();
      await anvil.stop();
      await database.drop();
    }
  });
});
