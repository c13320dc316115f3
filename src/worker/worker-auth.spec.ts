import { privateKeyToAccount } from 'viem/accounts';
import { payloadHash, recoverWorkerCallSigner, verityDomain } from '../chain/typed-data';
import { WORKER_CALL_TTL_SECONDS, workerCallSigner } from './worker-auth';

const WORKER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
/** anvil's account #2 (checked against anvil's printed keys and the "test ... junk" mnemonic). */
const OTHER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';
const SETTLEMENT = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const NOW_MS = Date.UTC(2026, 0, 1);

describe('worker call signing', () => {
  const account = privateKeyToAccount(WORKER_KEY);
  const domain = verityDomain(31337, SETTLEMENT);
  const signer = workerCallSigner(account, domain, () => NOW_MS);
  const input = { maxJobs: 64, waitMs: 2000, leaseSeconds: 30 };

  it('signs a WorkerCall that recovers to the worker for exactly this operation and input', async () => {
    const auth = await signer.sign('claimJobs', input);
    const call = {
      worker: account.address,
      operation: 'claimJobs',
      payloadHash: payloadHash(input),
      nonce: auth.nonce as `0x${string}`,
      deadline: BigInt(auth.deadline),
    };
    expect(auth.worker).toBe(account.address);
    await expect(recoverWorkerCallSigner(domain, call, auth.signature as `0x${string}`)).resolves.toBe(
      account.address,
    );
    await expect(
      recoverWorkerCallSigner(domain, { ...call, operation: 'heartbeat' }, auth.signature as `0x${string}`),
    ).resolves.not.toBe(account.address);
    const otherInput = payloadHash({ ...input, maxJobs: 65 });
    await expect(
      recoverWorkerCallSigner(domain, { ...call, payloadHash: otherInput }, auth.signature as `0x${string}`),
    ).resolves.not.toBe(account.address);
    await expect(
      recoverWorkerCallSigner(verityDomain(1, SETTLEMENT), call, auth.signature as `0x${string}`),
    ).resolves.not.toBe(account.address);
  });

  it('uses a fresh random bytes32 nonce per call and a deadline 60 s ahead in unix seconds', async () => {
    const [a, b] = await Promise.all([
      signer.sign('heartbeat', { jobIds: ['1'] }),
      signer.sign('heartbeat', { jobIds: ['1'] }),
    ]);
    expect(a.nonce).toMatch(/^0x[0-9a-f]{64}$/);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.deadline).toBe(NOW_MS / 1000 + WORKER_CALL_TTL_SECONDS);
    expect(Number.isInteger(a.deadline)).toBe(true);
  });

  it('hashes the input independently of key order, and differently for any changed value', () => {
    const submit = {
      backend: 'cpu',
      results: [
        {
          jobId: '7',
          outputFixed: ['-3', '5'],
          signature: '0x01',
          outputCommitment: '0x02',
          traceCommitment: '0x03',
        },
      ],
    };
    const reordered = {
      results: [
        {
          traceCommitment: '0x03',
          outputCommitment: '0x02',
          signature: '0x01',
          outputFixed: ['-3', '5'],
          jobId: '7',
        },
      ],
      backend: 'cpu',
    };
    expect(payloadHash(reordered)).toBe(payloadHash(submit));
    expect(payloadHash({ ...submit, backend: 'cuda' })).not.toBe(payloadHash(submit));
    expect(
      payloadHash({ ...submit, results: [{ ...submit.results[0], outputFixed: ['5', '-3'] }] }),
    ).not.toBe(payloadHash(submit));
  });

  it('recovers another key to another address', async () => {
    const other = workerCallSigner(privateKeyToAccount(OTHER_KEY), domain, () => NOW_MS);
    const auth = await other.sign('registerWorker', { name: 'w', backend: 'cpu' });
    const call = {
      worker: auth.worker as `0x${string}`,
      operation: 'registerWorker',
      payloadHash: payloadHash({ name: 'w', backend: 'cpu' }),
      nonce: auth.nonce as `0x${string}`,
      deadline: BigInt(auth.deadline),
    };
    const recovered = await recoverWorkerCallSigner(domain, call, auth.signature as `0x${string}`);
    expect(recovered).toBe(other.address);
    expect(recovered).not.toBe(account.address);
  });
});
