import { privateKeyToAccount } from 'viem/accounts';
import { findFreePort } from '../common/free-port';
import { payloadHash, recoverWorkerCallSigner, verityDomain } from '../chain/typed-data';
import { WorkerApiClient } from './worker-api-client';
import { workerCallSigner } from './worker-auth';
import { WorkerError, isTransient } from './worker.errors';

const URL_ = 'http://127.0.0.1:4999/graphql';
const domain = verityDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');

interface Sent {
  query: string;
  variables: Record<string, any>;
}

/** A fetch that records the request and answers with `status` and `body`. */
function fakeFetch(status: number, body: unknown): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fn = (async (_url: string | URL | Request, init?: RequestInit) => {
    sent.push(JSON.parse(init?.body as string) as Sent);
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof fetch;
  return { fetch: fn, sent };
}

describe('the worker API client', () => {
  it('sends the input as a variable with an auth whose signature binds that exact input', async () => {
    const { fetch, sent } = fakeFetch(200, { data: { claimJobs: [] } });
    const client = new WorkerApiClient(URL_, fetch);
    client.useSigner(workerCallSigner(account, domain));
    const input = { maxJobs: 8, waitMs: 2000, leaseSeconds: 30 };
    await expect(client.claimJobs(input)).resolves.toEqual([]);
    const { query, variables } = sent[0];
    expect(query).toMatch(/claimJobs\(input: \$input, auth: \$auth\)/);
    expect(variables.input).toEqual(input);
    const { auth } = variables;
    const call = {
      worker: auth.worker,
      operation: 'claimJobs',
      payloadHash: payloadHash(variables.input),
      nonce: auth.nonce,
      deadline: BigInt(auth.deadline),
    };
    await expect(recoverWorkerCallSigner(domain, call, auth.signature)).resolves.toBe(account.address);
  });

  it("reports the server's error code and tells transient errors from the others", async () => {
    const refused = new WorkerApiClient(
      URL_,
      fakeFetch(200, {
        data: null,
        errors: [{ message: 'not staked', extensions: { code: 'WORKER_NOT_STAKED' } }],
      }).fetch,
    );
    refused.useSigner(workerCallSigner(account, domain));
    const error = await refused.registerWorker({ name: 'w', backend: 'cpu' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).code).toBe('WORKER_NOT_STAKED');
    expect(isTransient(error)).toBe(false);

    const gateway = new WorkerApiClient(URL_, fakeFetch(502, '<html>bad gateway</html>').fetch);
    const down = await gateway.protocol().catch((e: unknown) => e);
    expect((down as WorkerError).code).toBe('API_BAD_RESPONSE');
    expect(isTransient(down)).toBe(true);

    const unreachable = new WorkerApiClient(`http://127.0.0.1:${await findFreePort()}/graphql`);
    const refusedConnection = await unreachable.protocol().catch((e: unknown) => e);
    expect((refusedConnection as WorkerError).code).toBe('API_UNREACHABLE');
    expect((refusedConnection as WorkerError).message).toMatch(/ECONNREFUSED/);
    expect(isTransient(refusedConnection)).toBe(true);
  });

  it('refuses to call a mutation before it has a signer', async () => {
    const client = new WorkerApiClient(URL_, fakeFetch(200, { data: {} }).fetch);
    await expect(client.heartbeat(['1'])).rejects.toThrow(/useSigner/);
  });
});
