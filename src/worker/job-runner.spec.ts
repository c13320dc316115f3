import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { recoverResultSigner, verityDomain } from '../chain/typed-data';
import {
  commitModel,
  commitTensor,
  commitTrace,
  evaluateFixed,
  importOnnx,
  parseInputs,
  quantize,
  quantizeInput,
  type QuantizedModel,
  traceOf,
} from '../engine';
import { loadMnistHoldout, mnistFixtureDir } from '../engine/testing';
import { wrongOutputTrace } from './fault-injection';
import { JobRunner, type ModelSource } from './job-runner';
import type { ApiModel, ClaimedJob } from './worker-api-client';

const WORKER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const MODEL_ID = 'mnist';

function mnistModel(): QuantizedModel {
  const dir = mnistFixtureDir();
  const calibration = parseInputs(JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')));
  return quantize(importOnnx(readFileSync(join(dir, 'mnist-mlp.onnx'))), { calibration });
}

/** An API that serves one model, optionally a different one than it claims, and counts fetches. */
function modelSource(served: QuantizedModel, claimedCommitment: Hex): ModelSource & { fetches: number } {
  const source = {
    fetches: 0,
    async model(id: string): Promise<ApiModel> {
      source.fetches++;
      return { id, commitment: claimedCommitment, quantizedJson: JSON.stringify(served) };
    },
  };
  return source;
}

const bytes32 = (): Hex => `0x${randomBytes(32).toString('hex')}`;

describe('the job runner', () => {
  const model = mnistModel();
  const commitment = commitModel(model).commitment;
  const account = privateKeyToAccount(WORKER_KEY);
  const domain = verityDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
  const inputs = loadMnistHoldout().inputs.slice(0, 12);
  const job = (input: number[], index: number): ClaimedJob => {
    const fixed = quantizeInput(model, input);
    return {
      id: `job-${index}`,
      requestId: bytes32(),
      modelId: MODEL_ID,
      modelCommitment: commitment,
      inputCommitment: commitTensor(fixed),
      inputFixed: Array.from(fixed, String),
      leaseExpiresAt: new Date().toISOString(),
    };
  };
  const runners: JobRunner[] = [];
  const runnerFor = (source: ModelSource, fault?: 'wrong-output'): JobRunner => {
    const runner = new JobRunner({ account, domain, provider: 'cpu', models: source, fault });
    runners.push(runner);
    return runner;
  };
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.release()));
  });

  it('returns results whose commitments match the evaluator and whose signatures recover to the worker', async () => {
    const source = modelSource(model, commitment);
    const jobs = inputs.map(job);
    const outcome = await runnerFor(source).run(jobs);
    expect(outcome.refused).toEqual([]);
    expect(outcome.results.map((r) => r.jobId)).toEqual(jobs.map((j) => j.id));
    for (const [n, result] of outcome.results.entries()) {
      const expected = evaluateFixed(model, quantizeInput(model, inputs[n]));
      expect(result.outputFixed).toEqual(expected.outputFixed.map(String));
      expect(result.outputCommitment).toBe(commitTensor(expected.outputFixed));
      expect(result.traceCommitment).toBe(commitTrace(expected.inputFixed, expected.trace.map((t) => t.values)));
      const leaf = {
        requestId: jobs[n].requestId,
        modelCommitment: commitment,
        inputCommitment: jobs[n].inputCommitment,
        outputCommitment: result.outputCommitment,
        traceCommitment: result.traceCommitment,
        worker: account.address,
      };
      await expect(recoverResultSigner(domain, leaf, result.signature)).resolves.toBe(account.address);
      await expect(
        recoverResultSigner(domain, { ...leaf, outputCommitment: bytes32() }, result.signature),
      ).resolves.not.toBe(account.address);
    }
    expect(outcome.stats).toEqual([expect.objectContaining({ modelId: MODEL_ID, jobs: jobs.length })]);
  });

  it('fetches and verifies a model once across batches', async () => {
    const source = modelSource(model, commitment);
    const runner = runnerFor(source);
    await runner.run([job(inputs[0], 0)]);
    await runner.run([job(inputs[1], 1), job(inputs[2], 2)]);
    expect(source.fetches).toBe(1);
  });

  it('refuses a job whose input does not match its input commitment, and computes the others of the batch', async () => {
    const jobs = inputs.slice(0, 3).map(job);
    const forged = {
      ...jobs[1],
      inputFixed: jobs[1].inputFixed.map((v, i) => (i === 300 ? String(Number(v) + 1) : v)),
    };
    const outcome = await runnerFor(modelSource(model, commitment)).run([jobs[0], forged, jobs[2]]);
    expect(outcome.refused).toEqual([
      expect.objectContaining({ jobId: forged.id, code: 'INPUT_COMMITMENT_MISMATCH' }),
    ]);
    expect(outcome.results.map((r) => r.jobId)).toEqual([jobs[0].id, jobs[2].id]);
  });

  it('refuses an input beyond the model input bound even when its commitment matches', async () => {
    const big = job(inputs[0], 9);
    big.inputFixed[0] = String(Number(model.inputBound) + 1);
    big.inputCommitment = commitTensor(big.inputFixed);
    const outcome = await runnerFor(modelSource(model, commitment)).run([big]);
    expect(outcome.refused).toEqual([expect.objectContaining({ jobId: big.id, code: 'INPUT_OUT_OF_BOUND' })]);
    expect(outcome.results).toEqual([]);
  });

  it('refuses every job when the API serves a model that is not the one the job commits to', async () => {
    const tampered: QuantizedModel = JSON.parse(JSON.stringify(model));
    const first = tampered.steps[0];
    if (first.op !== 'linear') throw new Error('the MNIST MLP starts with a linear step');
    first.weights[0] = Number(first.weights[0]) + 1;
    // The lying API claims the honest commitment for the tampered model.
    const source = modelSource(tampered, commitment);
    const jobs = inputs.slice(0, 2).map(job);
    const outcome = await runnerFor(source).run(jobs);
    expect(outcome.results).toEqual([]);
    expect(outcome.refused.map((r) => r.code)).toEqual([
      'MODEL_COMMITMENT_MISMATCH',
      'MODEL_COMMITMENT_MISMATCH',
    ]);
  });

  it('refuses a job that names another commitment than the model it gives', async () => {
    const runner = runnerFor(modelSource(model, commitment));
    await runner.run([job(inputs[0], 0)]);
    const other = { ...job(inputs[1], 1), modelCommitment: bytes32() };
    const outcome = await runner.run([other]);
    expect(outcome.refused).toEqual([
      expect.objectContaining({ jobId: other.id, code: 'MODEL_COMMITMENT_MISMATCH' }),
    ]);
  });

  it('signs a wrong but consistent result with the wrong-output fault: another output commitment, the trace of wrongOutputTrace', async () => {
    const jobs = inputs.slice(0, 2).map(job);
    const honest = await runnerFor(modelSource(model, commitment)).run(jobs);
    const faulty = await runnerFor(modelSource(model, commitment), 'wrong-output').run(jobs);
    expect(faulty.refused).toEqual([]);
    for (const [n, result] of faulty.results.entries()) {
      const fixed = quantizeInput(model, inputs[n]);
      const lie = wrongOutputTrace(model, traceOf(model, fixed));
      expect(result.outputCommitment).not.toBe(honest.results[n].outputCommitment);
      expect(result.outputCommitment).toBe(lie.outputCommitment);
      expect(result.traceCommitment).toBe(lie.traceCommitment);
      expect(result.outputFixed).toEqual(lie.output.map(String));
      const leaf = {
        requestId: jobs[n].requestId,
        modelCommitment: commitment,
        inputCommitment: jobs[n].inputCommitment,
        outputCommitment: lie.outputCommitment,
        traceCommitment: lie.traceCommitment,
        worker: account.address,
      };
      await expect(recoverResultSigner(domain, leaf, result.signature)).resolves.toBe(account.address);
    }
  });
});
