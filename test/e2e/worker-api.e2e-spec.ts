/**
 * The worker API against honest, forging, replaying and late workers: the test signs calls and
 * results itself (test/support/worker-auth.ts), so every refusal is exercised at the edge.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEther, type Hex, type TypedDataDomain } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { WorkerRegistryAbi } from '../../src/chain/generated/contracts';
import { verityDomain } from '../../src/chain/typed-data';
import { commitTensor, evaluateFixed, type QuantizedModel } from '../../src/engine';
import { graphqlRequest, graphqlRequestFrom, type GraphqlResult } from '../support/graphql-client';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';
import {
  ANVIL_WORKER_KEYS,
  malleate,
  signCall,
  signResult,
  testWorker,
  type WorkerAuth,
} from '../support/worker-auth';

const FIXTURES = join(__dirname, '..', 'fixtures', 'onnx-conformance', '1l_mlp');
const TRACE: Hex = `0x${'ab'.repeat(32)}`;

const REQUEST = `mutation($input: RequestInferenceInput!) { requestInference(input: $input) { id status requestId inputFixed inputCommitment } }`;
const CLAIM = `mutation($input: ClaimJobsInput!, $auth: WorkerAuthInput!) { claimJobs(input: $input, auth: $auth) { id requestId modelCommitment inputCommitment inputFixed leaseExpiresAt } }`;
const SUBMIT = `mutation($input: SubmitResultsInput!, $auth: WorkerAuthInput!) { submitResults(input: $input, auth: $auth) }`;
const REGISTER = `mutation($input: RegisterWorkerInput!, $auth: WorkerAuthInput!) { registerWorker(input: $input, auth: $auth) { address backend } }`;
const HEARTBEAT = `mutation($input: HeartbeatInput!, $auth: WorkerAuthInput!) { heartbeat(input: $input, auth: $auth) { extended lost } }`;
const INFERENCE = `query($id: ID!) { inference(id: $id) { id status worker attempts outputFixed outputCommitment traceCommitment workerSignature error { code } } }`;

interface Job {
  id: string;
  requestId: Hex;
  modelCommitment: Hex;
  inputCommitment: Hex;
  inputFixed: string[];
}

describe('worker API', () => {
  let app: TestApp;
  let domain: TypedDataDomain;
  let modelId: string;
  let quantized: QuantizedModel;
  let inputLength: number;
  const [alice, bob, mallory] = ANVIL_WORKER_KEYS.map((key) => testWorker(key));

  const gql = <T = any>(query: string, variables: Record<string, unknown>): Promise<GraphqlResult<T>> =>
    graphqlRequest<T>(app.graphqlUrl, query, variables);
  const call = async (
    query: string,
    operation: string,
    worker: PrivateKeyAccount,
    input: unknown,
    auth?: WorkerAuth,
  ) => gql(query, { input, auth: auth ?? (await signCall(domain, worker, operation, input)) });
  const codeOf = (result: GraphqlResult) => result.errors?.[0]?.extensions?.code;
  const request = (input: number[], extra: Record<string, unknown> = {}) =>
    gql(REQUEST, { input: { modelId, input, mode: 'OPTIMISTIC', ...extra } });
  const claim = (worker: PrivateKeyAccount, maxJobs = 8, leaseSeconds = 30) =>
    call(CLAIM, 'claimJobs', worker, { maxJobs, waitMs: 0, leaseSeconds });
  const countInferences = async () =>
    (await gql('{ inferences(first: 100) { edges { node { id } } } }', {})).data.inferences.edges.length;

  /** The honest result of a job, signed by `signer` (the worker itself unless forging). */
  async function resultFor(
    job: Job,
    worker: PrivateKeyAccount,
    signer: PrivateKeyAccount = worker,
    tamper = false,
  ) {
    const { outputFixed } = evaluateFixed(quantized, Float64Array.from(job.inputFixed.map(Number)), {
      trace: false,
    });
    const output = tamper ? outputFixed.map((v, i) => (i === 0 ? v + 1n : v)) : outputFixed;
    const outputCommitment = commitTensor(output);
    const leaf = {
      requestId: job.requestId,
      modelCommitment: job.modelCommitment,
      inputCommitment: job.inputCommitment,
      outputCommitment,
      traceCommitment: TRACE,
      worker: worker.address,
    };
    return {
      jobId: job.id,
      outputFixed: output.map(String),
      outputCommitment,
      traceCommitment: TRACE,
      signature: await signResult(domain, signer, leaf),
    };
  }

  async function stake(worker: PrivateKeyAccount) {
    const { publicClient, walletClient } = app.runtime.chain;
    const hash = await walletClient.writeContract({
      address: app.runtime.deployment.contracts.WorkerRegistry,
      abi: WorkerRegistryAbi,
      functionName: 'register',
      value: parseEther('1'),
      account: worker,
    });
    await publicClient.waitForTransactionReceipt({ hash });
  }

  beforeAll(async () => {
    app = await startTestApp();
    domain = verityDomain(app.runtime.chain.chain.id, app.runtime.deployment.contracts.Settlement);
    const calibration = (
      JSON.parse(readFileSync(join(FIXTURES, 'input.json'), 'utf8')) as { input_data: number[][] }
    ).input_data;
    const registered = await gql(
      `mutation($input: RegisterModelInput!) { registerModel(input: $input) { id quantizedJson } }`,
      {
        input: {
          name: 'mlp',
          onnxBase64: readFileSync(join(FIXTURES, 'network.onnx')).toString('base64'),
          calibration,
        },
      },
    );
    modelId = registered.data.registerModel.id;
    quantized = JSON.parse(registered.data.registerModel.quantizedJson) as QuantizedModel;
    inputLength = quantized.inputShape.reduce((a, v) => a * v, 1);
    await stake(alice);
    await stake(bob);
    for (const worker of [alice, bob]) {
      const result = await call(REGISTER, 'registerWorker', worker, { name: 'test', backend: 'cpu' });
      expect(result.errors).toBeUndefined();
    }
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
  });

  const sample = () => Array.from({ length: inputLength }, (_, i) => ((i % 7) - 3) / 10);

  describe('requests from dapps', () => {
    it('refuses an unknown model, a wrong length, a value beyond the input bound and zk mode, storing nothing', async () => {
      const before = await countInferences();
      expect(
        codeOf(
          await gql(REQUEST, {
            input: { modelId: '00000000-0000-4000-8000-000000000000', input: sample(), mode: 'OPTIMISTIC' },
          }),
        ),
      ).toBe('MODEL_NOT_FOUND');
      const short = await request(sample().slice(1));
      expect(codeOf(short)).toBe('INPUT_SHAPE');
      expect(short.errors?.[0].message).toContain(`expects ${inputLength}`);
      expect(codeOf(await request(sample().map(() => 1e9)))).toBe('INPUT_OUT_OF_BOUND');
      expect(codeOf(await request(sample(), { mode: 'ZK' }))).toBe('MODE_NOT_ALLOWED');
      expect(await countInferences()).toBe(before);
    });

    it('returns the same inference for a repeated clientRequestId and refuses reusing it for another input', async () => {
      const first = await request(sample(), { clientRequestId: 'order-1' });
      const again = await request(sample(), { clientRequestId: 'order-1' });
      expect(again.data.requestInference.id).toBe(first.data.requestInference.id);
      const other = await request(
        sample().map((v) => -v),
        { clientRequestId: 'order-1' },
      );
      expect(codeOf(other)).toBe('DUPLICATE_REQUEST');
    });

    it('keeps clientRequestId keys per caller: another peer sending the same x-client-id neither gets nor poisons the first inference', async () => {
      const headers = { 'x-client-id': 'shared-dapp-name' };
      const victim = { localAddress: '127.0.0.1', headers };
      // The attacker also claims the dapp's address in X-Forwarded-For, which the API must ignore.
      const attacker = { localAddress: '127.0.0.2', headers: { ...headers, 'x-forwarded-for': '127.0.0.1' } };
      const from = (peer: { localAddress: string; headers: Record<string, string> }, input: number[]) =>
        graphqlRequestFrom(peer, app.graphqlUrl, REQUEST, {
          input: { modelId, input, mode: 'OPTIMISTIC', clientRequestId: 'order-7' },
        });
      // The attacker claims the key first, with another input, hoping the dapp's call is refused.
      const planted = await from(
        attacker,
        sample().map((v) => -v),
      );
      expect(planted.errors).toBeUndefined();
      const first = await from(victim, sample());
      expect(first.errors).toBeUndefined();
      expect(first.data.requestInference.id).not.toBe(planted.data.requestInference.id);
      // Repeating the dapp's call returns its own inference; the attacker's repeat returns the attacker's.
      expect((await from(victim, sample())).data.requestInference.id).toBe(first.data.requestInference.id);
      expect(codeOf(await from(attacker, sample()))).toBe('DUPLICATE_REQUEST');
      expect(
        (
          await from(
            attacker,
            sample().map((v) => -v),
          )
        ).data.requestInference.id,
      ).toBe(planted.data.requestInference.id);
    });
  });

  describe('authentication', () => {
    it('refuses a call signed by another key than the worker it names', async () => {
      const input = { maxJobs: 1, waitMs: 0, leaseSeconds: 30 };
      const forged = await signCall(domain, alice, 'claimJobs', input, { signer: mallory });
      expect(codeOf(await call(CLAIM, 'claimJobs', alice, input, forged))).toBe('WORKER_AUTH_INVALID');
    });

    it('refuses a replayed call', async () => {
      const input = { maxJobs: 1, waitMs: 0, leaseSeconds: 30 };
      const auth = await signCall(domain, alice, 'claimJobs', input);
      expect((await call(CLAIM, 'claimJobs', alice, input, auth)).errors).toBeUndefined();
      expect(codeOf(await call(CLAIM, 'claimJobs', alice, input, auth))).toBe('WORKER_AUTH_REPLAYED');
    });

    it('refuses a signature over other arguments, another operation, or an expired deadline', async () => {
      const input = { maxJobs: 1, waitMs: 0, leaseSeconds: 30 };
      const signedForOne = await signCall(domain, alice, 'claimJobs', input);
      expect(codeOf(await call(CLAIM, 'claimJobs', alice, { ...input, maxJobs: 200 }, signedForOne))).toBe(
        'WORKER_AUTH_INVALID',
      );
      const otherOperation = await signCall(domain, alice, 'heartbeat', input);
      expect(codeOf(await call(CLAIM, 'claimJobs', alice, input, otherOperation))).toBe(
        'WORKER_AUTH_INVALID',
      );
      const expired = await signCall(domain, alice, 'claimJobs', input, {
        deadline: Math.floor(Date.now() / 1000) - 1,
      });
      expect(codeOf(await call(CLAIM, 'claimJobs', alice, input, expired))).toBe('WORKER_AUTH_EXPIRED');
      const otherChain = await signCall({ ...domain, chainId: 1 }, alice, 'claimJobs', input);
      expect(codeOf(await call(CLAIM, 'claimJobs', alice, input, otherChain))).toBe('WORKER_AUTH_INVALID');
    });

    it('refuses a call signed in a malleated form (high s, or v as 0 or 1) with SIGNATURE_NOT_CANONICAL', async () => {
      const input = { maxJobs: 1, waitMs: 0, leaseSeconds: 30 };
      for (const form of ['high-s', 'y-parity'] as const) {
        const auth = await signCall(domain, alice, 'claimJobs', input);
        const malleated = { ...auth, signature: malleate(auth.signature, form) };
        const refused = await call(CLAIM, 'claimJobs', alice, input, malleated);
        expect(codeOf(refused)).toBe('SIGNATURE_NOT_CANONICAL');
      }
    });

    it('refuses an unstaked worker and an unregistered one', async () => {
      expect(codeOf(await call(REGISTER, 'registerWorker', mallory, { name: 'm', backend: 'cpu' }))).toBe(
        'WORKER_NOT_STAKED',
      );
      expect(codeOf(await claim(mallory))).toBe('WORKER_NOT_REGISTERED');
    });
  });

  describe('jobs', () => {
    /** Drains the queue so each test starts from its own requests. */
    async function claimAll(worker: PrivateKeyAccount): Promise<Job[]> {
      const result = await claim(worker, 256);
      expect(result.errors).toBeUndefined();
      return result.data.claimJobs as Job[];
    }

    beforeEach(async () => {
      const stale = await claimAll(alice);
      if (stale.length > 0)
        await call(SUBMIT, 'submitResults', alice, {
          backend: 'cpu',
          results: await Promise.all(stale.map((j) => resultFor(j, alice))),
        });
    });

    it('computes a claimed job into the honest signed result', async () => {
      const requested = (await request(sample())).data.requestInference;
      const [job] = await claimAll(alice);
      expect(job.id).toBe(requested.id);
      expect(job.inputFixed).toEqual(requested.inputFixed);
      const submitted = await call(SUBMIT, 'submitResults', alice, {
        backend: 'cpu',
        results: [await resultFor(job, alice)],
      });
      expect(submitted.errors).toBeUndefined();
      expect(submitted.data.submitResults).toEqual([job.id]);
      const stored = (await gql(INFERENCE, { id: job.id })).data.inference;
      expect(['COMPUTED', 'COMMITTED', 'CHALLENGEABLE']).toContain(stored.status);
      expect(stored.worker).toBe(alice.address);
      expect(stored.outputCommitment).toBe(commitTensor(stored.outputFixed.map(BigInt)));
    });

    it('refuses a result whose output does not match its commitment, or signed by another key, and stores none of the batch', async () => {
      await request(sample());
      await request(sample().map((v) => v / 2));
      const jobs = await claimAll(alice);
      expect(jobs).toHaveLength(2);
      const honest = await resultFor(jobs[0], alice);
      const mismatched = {
        ...(await resultFor(jobs[1], alice)),
        outputFixed: (await resultFor(jobs[1], alice, alice, true)).outputFixed,
      };
      expect(
        codeOf(await call(SUBMIT, 'submitResults', alice, { backend: 'cpu', results: [honest, mismatched] })),
      ).toBe('RESULT_COMMITMENT_MISMATCH');
      const forged = await resultFor(jobs[1], alice, mallory);
      expect(
        codeOf(await call(SUBMIT, 'submitResults', alice, { backend: 'cpu', results: [honest, forged] })),
      ).toBe('RESULT_SIGNATURE_INVALID');
      for (const job of jobs)
        expect((await gql(INFERENCE, { id: job.id })).data.inference.status).toBe('ASSIGNED');
      const ok = await call(SUBMIT, 'submitResults', alice, {
        backend: 'cpu',
        results: [honest, await resultFor(jobs[1], alice)],
      });
      expect(ok.errors).toBeUndefined();
    });

    it('refuses a result signed in a malleated form (high s, or v as 0 or 1) with SIGNATURE_NOT_CANONICAL, storing nothing', async () => {
      await request(sample().map((v) => v / 3));
      const [job] = await claimAll(alice);
      const honest = await resultFor(job, alice);
      for (const form of ['high-s', 'y-parity'] as const) {
        const malleated = { ...honest, signature: malleate(honest.signature, form) };
        const refused = await call(SUBMIT, 'submitResults', alice, { backend: 'cpu', results: [malleated] });
        expect(codeOf(refused)).toBe('SIGNATURE_NOT_CANONICAL');
        expect(refused.errors?.[0].message).toContain('27 or 28');
        expect((await gql(INFERENCE, { id: job.id })).data.inference.status).toBe('ASSIGNED');
      }
      const accepted = await call(SUBMIT, 'submitResults', alice, { backend: 'cpu', results: [honest] });
      expect(accepted.errors).toBeUndefined();
    });

    it('refuses a result for a job the worker does not hold, and a duplicate submission', async () => {
      await request(sample());
      const [job] = await claimAll(alice);
      expect(
        codeOf(
          await call(SUBMIT, 'submitResults', bob, { backend: 'cpu', results: [await resultFor(job, bob)] }),
        ),
      ).toBe('JOB_NOT_HELD');
      const result = await resultFor(job, alice);
      expect(
        (await call(SUBMIT, 'submitResults', alice, { backend: 'cpu', results: [result] })).errors,
      ).toBeUndefined();
      expect(codeOf(await call(SUBMIT, 'submitResults', alice, { backend: 'cpu', results: [result] }))).toBe(
        'DUPLICATE_SUBMISSION',
      );
      expect(
        codeOf(await call(SUBMIT, 'submitResults', alice, { backend: 'cpu', results: [result, result] })),
      ).toBe('DUPLICATE_SUBMISSION');
    });

    it('returns a job whose lease expired to the queue, and refuses the late result of its first worker', async () => {
      const requested = (await request(sample())).data.requestInference;
      const [job] = (await claim(alice, 1, 2)).data.claimJobs as Job[];
      expect(job.id).toBe(requested.id);
      const heartbeat = await call(HEARTBEAT, 'heartbeat', bob, { jobIds: [job.id] });
      expect(heartbeat.data.heartbeat.lost).toEqual([job.id]);
      const reclaimed = await until(
        'the job back in the queue',
        async () => {
          const jobs = (await claim(bob, 1)).data.claimJobs as Job[];
          return jobs.length > 0 ? jobs : undefined;
        },
        10_000,
        100,
      );
      expect(reclaimed.map((j) => j.id)).toEqual([job.id]);
      expect(
        codeOf(
          await call(SUBMIT, 'submitResults', alice, {
            backend: 'cpu',
            results: [await resultFor(job, alice)],
          }),
        ),
      ).toBe('JOB_NOT_HELD');
      expect(
        (
          await call(SUBMIT, 'submitResults', bob, {
            backend: 'cpu',
            results: [await resultFor(reclaimed[0], bob)],
          })
        ).errors,
      ).toBeUndefined();
      const stored = (await gql(INFERENCE, { id: job.id })).data.inference;
      expect(stored.worker).toBe(bob.address);
      expect(stored.attempts).toBe(2);
    });
  });
});
