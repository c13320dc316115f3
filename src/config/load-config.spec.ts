import { ConfigError } from './config.errors';
import { loadConfig, loadDefenderConfig, loadWorkerConfig } from './load-config';

describe('loadConfig', () => {
  it('runs on the embedded default when nothing is set', () => {
    const config = loadConfig({});
    expect(config.database.url).toBeUndefined();
    expect(config.chain.rpcUrl).toBeUndefined();
    expect(config.http.port).toBe(4000);
  });

  it('makes the embedded chain mine on an interval and save its state every second by default', () => {
    expect(loadConfig({}).chain).toMatchObject({ anvilBlockTimeSeconds: 2, anvilStateIntervalSeconds: 1 });
    expect(loadConfig({ ANVIL_BLOCK_TIME_SECONDS: '0' }).chain.anvilBlockTimeSeconds).toBe(0);
    expect(() => loadConfig({ ANVIL_BLOCK_TIME_SECONDS: '-1', ANVIL_STATE_INTERVAL_SECONDS: '0' })).toThrow(
      /ANVIL_BLOCK_TIME_SECONDS[\s\S]*ANVIL_STATE_INTERVAL_SECONDS/,
    );
  });

  it('allows browser pages of this machine outside production and no origin in production, unless CORS_ORIGINS says', () => {
    expect(loadConfig({}).http.corsOrigins).toEqual(['http://localhost:*', 'http://127.0.0.1:*', 'http://[::1]:*']);
    expect(loadConfig({ NODE_ENV: 'production' }).http.corsOrigins).toEqual([]);
    expect(
      loadConfig({ NODE_ENV: 'production', CORS_ORIGINS: ' https://app.example.com, http://[::1]:*,' }).http.corsOrigins,
    ).toEqual(['https://app.example.com', 'http://[::1]:*']);
    expect(loadConfig({ CORS_ORIGINS: '*' }).http.corsOrigins).toEqual(['*']);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/path, app.example.com' })).toThrow(
      /CORS_ORIGINS: "https:\/\/app.example.com\/path" is not an origin[\s\S]*CORS_ORIGINS: "app.example.com" is not an origin/,
    );
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', RPC_URL: 'http://127.0.0.1:8545', CHAIN_ID: '999999', PRIVATE_KEY: '0x12' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/DATABASE_URL: must be a postgres/);
    expect(problems).toMatch(/CHAIN_ID: unknown chain/);
    expect(problems).toMatch(/PRIVATE_KEY: must be 0x followed by 64 hex digits/);
  });

  it('requires a key and a chain id with an external RPC', () => {
    expect(() => loadConfig({ RPC_URL: 'http://127.0.0.1:8545' })).toThrow(/PRIVATE_KEY: is required[\s\S]*CHAIN_ID: is required|CHAIN_ID: is required[\s\S]*PRIVATE_KEY: is required/);
  });

  it('accepts a complete external configuration', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      RPC_URL: 'http://127.0.0.1:8545',
      CHAIN_ID: '31337',
      PRIVATE_KEY: `0x${'ab'.repeat(32)}`,
    });
    expect(config.chain.chain?.id).toBe(31337);
  });

  it('defaults the fair queue to limits an honest worker never meets', () => {
    expect(loadConfig({}).queue).toEqual({
      maxHeldJobs: 128,
      maxLeaseLifetimeSeconds: 300,
      lapseWindowSeconds: 3600,
      throttleAfterLapses: 3,
      excludeAfterLapses: 6,
      failAfterLapsedWorkers: 3,
    });
  });

  it('refuses queue limits that let one worker fail a request or exclude before throttling', () => {
    let error: unknown;
    try {
      loadConfig({ QUEUE_FAIL_AFTER_LAPSED_WORKERS: '1', QUEUE_THROTTLE_AFTER_LAPSES: '4', QUEUE_EXCLUDE_AFTER_LAPSES: '4' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/QUEUE_FAIL_AFTER_LAPSED_WORKERS: must be at least 2/);
    expect(problems).toMatch(/QUEUE_EXCLUDE_AFTER_LAPSES: must be above QUEUE_THROTTLE_AFTER_LAPSES \(4\)/);
  });
});

describe('loadWorkerConfig', () => {
  const key = `0x${'cd'.repeat(32)}`;

  it('requires WORKER_PRIVATE_KEY and says what it is', () => {
    expect(() => loadWorkerConfig({})).toThrow(/WORKER_PRIVATE_KEY: is required by `verity worker`/);
  });

  it('defaults to the local API and the automatic provider', () => {
    const config = loadWorkerConfig({ WORKER_PRIVATE_KEY: key });
    expect(config).toMatchObject({ apiUrl: 'http://127.0.0.1:4000/graphql', privateKey: key, provider: 'auto', name: undefined });
  });

  it('lists every bad worker variable at once', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ WORKER_PRIVATE_KEY: '0x12', WORKER_PROVIDER: 'tpu', VERITY_API_URL: 'ftp://x' });
    } catch (e) {
      error = e;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/WORKER_PRIVATE_KEY: must be 0x followed by 64 hex digits/);
    expect(problems).toMatch(/WORKER_PROVIDER/);
    expect(problems).toMatch(/VERITY_API_URL/);
  });

  it("accepts RPC_URL (for staking) without the service's PRIVATE_KEY and CHAIN_ID", () => {
    const config = loadWorkerConfig({ WORKER_PRIVATE_KEY: key, RPC_URL: 'http://127.0.0.1:8545', WORKER_NAME: 'gpu-1', WORKER_PROVIDER: 'cuda' });
    expect(config).toMatchObject({ rpcUrl: 'http://127.0.0.1:8545', name: 'gpu-1', provider: 'cuda' });
  });
});

describe('the defender settings', () => {
  const external = {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    RPC_URL: 'http://127.0.0.1:8545',
    CHAIN_ID: '31337',
    PRIVATE_KEY: `0x${'ab'.repeat(32)}`,
  };
  const defenderKey = `0x${'ef'.repeat(32)}`;

  it('runs the dispute loops in the API unless the program defaults to a child (`verity serve`)', () => {
    expect(loadConfig({}).defender).toEqual({ mode: 'in-process', runsLoops: true, privateKey: undefined });
    expect(loadConfig({}, { defenderMode: 'child' }).defender).toMatchObject({ mode: 'child', runsLoops: false });
    expect(loadConfig({ DEFENDER_MODE: 'external' }, { defenderMode: 'child' }).defender).toMatchObject({ mode: 'external', runsLoops: false });
    expect(loadConfig({ DEFENDER_MODE: 'in-process' }, { defenderMode: 'child' }).defender.runsLoops).toBe(true);
    expect(() => loadConfig({ DEFENDER_MODE: 'thread' })).toThrow(/DEFENDER_MODE/);
  });

  it('needs the defender its own key for a child on an external chain, and never the committer\'s', () => {
    expect(() => loadConfig(external, { defenderMode: 'child' })).toThrow(
      /DEFENDER_PRIVATE_KEY: is required when RPC_URL is set and the defender runs as a child process[\s\S]*DEFENDER_MODE=external/,
    );
    expect(loadConfig({ ...external, DEFENDER_PRIVATE_KEY: defenderKey }, { defenderMode: 'child' }).defender.privateKey).toBe(defenderKey);
    expect(loadConfig({ ...external, DEFENDER_MODE: 'external' }, { defenderMode: 'child' }).defender.mode).toBe('external');
    expect(() => loadConfig({ ...external, DEFENDER_PRIVATE_KEY: external.PRIVATE_KEY.toUpperCase().replace('0X', '0x') })).toThrow(
      /DEFENDER_PRIVATE_KEY: must differ from PRIVATE_KEY/,
    );
  });

  it('lists everything `verity defender` needs at once, and nothing it does not (no PRIVATE_KEY)', () => {
    let error: unknown;
    try {
      loadDefenderConfig({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['DATABASE_URL', 'RPC_URL', 'CHAIN_ID', 'DEFENDER_PRIVATE_KEY']) {
      expect(problems).toMatch(new RegExp(`${name}: is required by \`verity defender\``));
    }
    expect(problems).not.toMatch(/^PRIVATE_KEY/m);
    const { PRIVATE_KEY: _unused, ...noServiceKey } = external;
    const config = loadDefenderConfig({ ...noServiceKey, DEFENDER_PRIVATE_KEY: defenderKey });
    expect(config.defender).toEqual({ mode: 'external', runsLoops: true, privateKey: defenderKey });
    expect(config.chain.privateKey).toBeUndefined();
  });
});
