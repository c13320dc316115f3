/**
 * The order of WorkerAuthService's checks, with the database and the chain replaced by small
 * recording fakes (the real ones are exercised by test/e2e/worker-api.e2e-spec.ts): who signed is
 * known before the input is hashed, so nobody without a staked worker's key makes the API hash
 * megabytes.
 */
import type { Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { DataSource } from 'typeorm';
import * as typedData from '../chain/typed-data';
import { verityDomain } from '../chain/typed-data';
import { workerCallSigner } from '../worker/worker-auth';
import type { ProtocolService } from './protocol.service';
import { WorkerAuthService } from './worker-auth.service';

const STAKED_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const ATTACKER_KEY = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6';
const domain = verityDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const staked = privateKeyToAccount(STAKED_KEY);
const attacker = privateKeyToAccount(ATTACKER_KEY);

/** A submission of about 5.5 MB: what an attacker would make the API hash. */
function hugeSubmission(): unknown {
  const result = (i: number) => ({
    jobId: String(i),
    outputFixed: Array.from({ length: 2_000 }, (_, k) => String(k * 12_345)),
    outputCommitment: `0x${'1'.repeat(64)}`,
    traceCommitment: `0x${'2'.repeat(64)}`,
    signature: `0x${'3'.repeat(130)}`,
  });
  return { backend: 'cpu', results: Array.from({ length: 256 }, (_, i) => result(i)) };
}

/** The registered, staked workers and the used nonces, as the database and the chain would answer. */
function service(registered: Address[]): { auth: WorkerAuthService; queries: string[] } {
  const queries: string[] = [];
  const dataSource = {
    query: (sql: string, params: unknown[]) => {
      queries.push(sql.trim().split(/\s+/)[0]);
      if (sql.includes('UPDATE workers')) return Promise.resolve(registered.includes(params[0] as Address) ? [[{ address: params[0] }], 1] : [[], 0]);
      return Promise.resolve([{ nonce: params[1] }]);
    },
  } as unknown as DataSource;
  const protocol = { domain, workerRegistry: '0x0', isActive: (w: Address) => Promise.resolve(registered.includes(w)) } as unknown as ProtocolService;
  return { auth: new WorkerAuthService(dataSource, protocol), queries };
}

describe('WorkerAuthService', () => {
  let hashes: jest.SpyInstance;
  beforeEach(() => {
    hashes = jest.spyOn(typedData, 'payloadHash');
  });
  afterEach(() => hashes.mockRestore());

  it("refuses an oversized submission signed by another key in a staked worker's name before hashing it", async () => {
    const input = hugeSubmission();
    const forged = { ...(await workerCallSigner(attacker, domain).sign('submitResults', { small: true })), worker: staked.address };
    hashes.mockClear();
    const { auth, queries } = service([staked.address]);
    const started = Date.now();
    await expect(auth.authenticate(forged, 'submitResults', input)).rejects.toMatchObject({ code: 'WORKER_AUTH_INVALID' });
    expect(hashes).not.toHaveBeenCalled();
    expect(queries).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses an oversized submission from an unregistered signer before hashing it', async () => {
    const input = hugeSubmission();
    const own = await workerCallSigner(attacker, domain).sign('submitResults', { small: true });
    hashes.mockClear();
    const { auth } = service([staked.address]);
    await expect(auth.authenticate(own, 'submitResults', input)).rejects.toMatchObject({ code: 'WORKER_NOT_REGISTERED' });
    expect(hashes).not.toHaveBeenCalled();
  });

  it("hashes a staked worker's input once, after its signature, registration, stake and nonce passed", async () => {
    const input = { maxJobs: 4, waitMs: 0, leaseSeconds: 30 };
    const signed = await workerCallSigner(staked, domain).sign('claimJobs', input);
    hashes.mockClear();
    const { auth, queries } = service([staked.address]);
    await expect(auth.authenticate(signed, 'claimJobs', input)).resolves.toBe(staked.address);
    expect(queries).toEqual(['UPDATE', 'INSERT']);
    expect(hashes).toHaveBeenCalledTimes(1);
  });

  it("refuses a staked worker's signed header sent with another input, after hashing that input", async () => {
    const signed = await workerCallSigner(staked, domain).sign('claimJobs', { maxJobs: 4, waitMs: 0, leaseSeconds: 30 });
    const { auth } = service([staked.address]);
    await expect(auth.authenticate(signed, 'claimJobs', { maxJobs: 256, waitMs: 0, leaseSeconds: 30 })).rejects.toMatchObject({
      code: 'WORKER_AUTH_INVALID',
      message: expect.stringContaining('auth.payloadHash is not the hash of this input') as unknown,
    });
  });

  it("refuses a staked worker's submission of more results than any submission needs before hashing it", async () => {
    const input = { backend: 'cpu', results: Array.from({ length: 257 }, (_, i) => ({ jobId: String(i), outputFixed: [] })) };
    const signed = await workerCallSigner(staked, domain).sign('submitResults', input);
    hashes.mockClear();
    const { auth } = service([staked.address]);
    await expect(auth.authenticate(signed, 'submitResults', input)).rejects.toMatchObject({ code: 'INVALID_WORKER_INPUT' });
    expect(hashes).not.toHaveBeenCalled();
  });
});
