/**
 * Turns claimed jobs into signed results, trusting the API for nothing it could lie about: a
 * model is used only when commitModel of the JSON it serves equals the job's modelCommitment, and
 * a job only when commitTensor(inputFixed) equals its inputCommitment. Jobs are grouped by model,
 * each group runs as one traced onnxruntime batch (runCommitted), and each result leaf is signed
 * with the worker key (EIP-712 `Result`). With the drills-only fault `wrong-output`
 * (src/worker/fault-injection.ts) it signs a consistent wrong result instead, with a warning.
 */
import type { Hex, LocalAccount, TypedDataDomain } from 'viem';
import type { Logger } from 'pino';
import { RESULT_TYPES } from '../chain/typed-data';
import type { ResultLeaf } from '../chain/result-merkle';
import {
  type CommittedResult,
  type ExecutionProvider,
  type QuantizedModel,
  OnnxRuntimeBackend,
  checkFixedInput,
  commitModel,
  commitTensor,
  dequantize,
  isEngineError,
  traceOf,
} from '../engine';
import type { ApiModel, ClaimedJob, ResultSubmission } from './worker-api-client';
import { wrongOutputTrace, type WorkerFault } from './fault-injection';
import { WorkerError, type WorkerErrorCode } from './worker.errors';

/** Models (and their onnxruntime sessions) kept loaded; the least recently used one is released beyond this. */
export const MAX_CACHED_MODELS = 8;

const BYTES32_PATTERN = /^0x[0-9a-fA-F]{64}$/;
const INTEGER_PATTERN = /^-?[0-9]+$/;

export interface ModelSource {
  model(id: string): Promise<ApiModel>;
}

export interface JobRunnerOptions {
  account: LocalAccount;
  domain: TypedDataDomain;
  /** The provider every backend is opened with (OnnxRuntimeBackend.probeProvider picks it). */
  provider: ExecutionProvider;
  models: ModelSource;
  log?: Logger;
  /** Drills and tests only: `wrong-output` signs a wrong (internally consistent) result. Default none. */
  fault?: WorkerFault;
}

export interface RefusedJob {
  jobId: string;
  code: WorkerErrorCode;
  reason: string;
}

export interface ModelBatchStats {
  modelId: string;
  jobs: number;
  computeMs: number;
  signMs: number;
}

export interface BatchOutcome {
  results: ResultSubmission[];
  refused: RefusedJob[];
  stats: ModelBatchStats[];
}

interface LoadedModel {
  commitment: Hex;
  model: QuantizedModel;
  backend: OnnxRuntimeBackend;
}

interface ReadyJob {
  job: ClaimedJob;
  fixed: Float64Array;
}

const sameHex = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown): WorkerErrorCode =>
  error instanceof WorkerError || isEngineError(error) ? error.code : 'INVALID_JOB';

export class JobRunner {
  private readonly loaded = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly options: JobRunnerOptions) {}

  /** Results for every job that could be computed honestly; the others are refused with a reason. */
  async run(jobs: readonly ClaimedJob[]): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { results: [], refused: [], stats: [] };
    const byModel = new Map<string, ClaimedJob[]>();
    for (const job of jobs) byModel.set(job.modelId, [...(byModel.get(job.modelId) ?? []), job]);
    for (const [modelId, group] of byModel) {
      let loaded: LoadedModel;
      try {
        loaded = await this.load(modelId, group[0].modelCommitment);
      } catch (error) {
        group.forEach((job) =>
          outcome.refused.push({ jobId: job.id, code: codeOf(error), reason: messageOf(error) }),
        );
        continue;
      }
      await this.runGroup(modelId, loaded, group, outcome);
    }
    return outcome;
  }

  /** Releases every cached onnxruntime session. */
  async release(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.all(all.map((p) => p.then((m) => m.backend.release()).catch(() => undefined)));
  }

  private async runGroup(
    modelId: string,
    loaded: LoadedModel,
    group: readonly ClaimedJob[],
    outcome: BatchOutcome,
  ): Promise<void> {
    const ready: ReadyJob[] = [];
    for (const job of group) {
      try {
        ready.push({ job, fixed: this.checkJob(job, loaded) });
      } catch (error) {
        outcome.refused.push({ jobId: job.id, code: codeOf(error), reason: messageOf(error) });
      }
    }
    if (ready.length === 0) return;
    const started = performance.now();
    const computed = await this.compute(loaded.backend, ready, outcome);
    const signStarted = performance.now();
    for (const { job, fixed, result } of computed) {
      const signed =
        this.options.fault === 'wrong-output' ? this.wrongResult(job, loaded.model, fixed) : result;
      outcome.results.push(await this.sign(job, loaded.commitment, signed));
    }
    outcome.stats.push({
      modelId,
      jobs: computed.length,
      computeMs: signStarted - started,
      signMs: performance.now() - signStarted,
    });
  }

  /** One batch; should it fail as a whole (it should not), each job alone so one bad job cannot sink the others. */
  private async compute(
    backend: OnnxRuntimeBackend,
    ready: readonly ReadyJob[],
    outcome: BatchOutcome,
  ): Promise<(ReadyJob & { result: CommittedResult })[]> {
    try {
      const results = await backend.runCommitted(ready.map((r) => r.fixed));
      return ready.map((r, n) => ({ ...r, result: results[n] }));
    } catch (batchError) {
      this.options.log?.warn(
        { err: batchError, jobs: ready.length },
        'batch failed as a whole; running its jobs one by one',
      );
      const computed: (ReadyJob & { result: CommittedResult })[] = [];
      for (const r of ready) {
        try {
          computed.push({ ...r, result: (await backend.runCommitted([r.fixed]))[0] });
        } catch (error) {
          outcome.refused.push({ jobId: r.job.id, code: codeOf(error), reason: messageOf(error) });
        }
      }
      return computed;
    }
  }

  /** The job's fixed input, after checking its fields, its input commitment and the model's input rules. */
  private checkJob(job: ClaimedJob, loaded: LoadedModel): Float64Array {
    for (const field of ['requestId', 'modelCommitment', 'inputCommitment'] as const) {
      if (typeof job[field] !== 'string' || !BYTES32_PATTERN.test(job[field]))
        throw new WorkerError('INVALID_JOB', `job ${job.id}: ${field} is not a bytes32`);
    }
    if (!sameHex(job.modelCommitment, loaded.commitment)) {
      throw new WorkerError(
        'MODEL_COMMITMENT_MISMATCH',
        `job ${job.id} names model commitment ${job.modelCommitment}, but model ${job.modelId} commits to ${loaded.commitment}`,
      );
    }
    if (
      !Array.isArray(job.inputFixed) ||
      !job.inputFixed.every((v) => typeof v === 'string' && INTEGER_PATTERN.test(v))
    ) {
      throw new WorkerError('INVALID_JOB', `job ${job.id}: inputFixed must be a list of decimal integers`);
    }
    const computed = commitTensor(job.inputFixed);
    if (!sameHex(computed, job.inputCommitment)) {
      throw new WorkerError(
        'INPUT_COMMITMENT_MISMATCH',
        `job ${job.id}: inputCommitment ${job.inputCommitment} is not the commitment of its input (${computed})`,
      );
    }
    const fixed = new Float64Array(job.inputFixed.length);
    job.inputFixed.forEach((v, i) => {
      const value = Number(v);
      if (!Number.isSafeInteger(value))
        throw new WorkerError('INVALID_JOB', `job ${job.id}: input value ${i} (${v}) is not a safe integer`);
      fixed[i] = value;
    });
    checkFixedInput(loaded.model, fixed);
    return fixed;
  }

  /**
   * `--fault wrong-output`: the engine's trace of the job, one value moved and later steps
   * recomputed (wrongOutputTrace), so the signed output and trace are wrong but consistent.
   */
  private wrongResult(job: ClaimedJob, model: QuantizedModel, fixed: Float64Array): CommittedResult {
    const lie = wrongOutputTrace(model, traceOf(model, fixed));
    this.options.log?.warn(
      { job: job.id, requestId: job.requestId, fault: 'wrong-output' },
      'FAULT INJECTION: signing a wrong result (drills and tests only)',
    );
    return {
      outputFixed: lie.output,
      output: dequantize(model, lie.output.map(Number)),
      outputCommitment: lie.outputCommitment,
      traceCommitment: lie.traceCommitment,
    };
  }

  private async sign(
    job: ClaimedJob,
    modelCommitment: Hex,
    result: CommittedResult,
  ): Promise<ResultSubmission> {
    const leaf: ResultLeaf = {
      requestId: job.requestId,
      modelCommitment,
      inputCommitment: job.inputCommitment,
      outputCommitment: result.outputCommitment,
      traceCommitment: result.traceCommitment,
      worker: this.options.account.address,
    };
    const signature = await this.options.account.signTypedData({
      domain: this.options.domain,
      types: RESULT_TYPES,
      primaryType: 'Result',
      message: leaf,
    });
    return {
      jobId: job.id,
      outputFixed: result.outputFixed.map(String),
      outputCommitment: result.outputCommitment,
      traceCommitment: result.traceCommitment,
      signature,
    };
  }

  /** The model, fetched once, verified against the commitment the job names, with its backend. */
  private load(modelId: string, expectedCommitment: Hex): Promise<LoadedModel> {
    const cached = this.loaded.get(modelId);
    if (cached) {
      this.loaded.delete(modelId);
      this.loaded.set(modelId, cached);
      return cached;
    }
    const loading = this.fetchAndVerify(modelId, expectedCommitment);
    this.loaded.set(modelId, loading);
    loading.catch(() => {
      if (this.loaded.get(modelId) === loading) this.loaded.delete(modelId);
    });
    this.evict();
    return loading;
  }

  private async fetchAndVerify(modelId: string, expectedCommitment: Hex): Promise<LoadedModel> {
    const served = await this.options.models.model(modelId);
    let model: QuantizedModel;
    let commitment: Hex;
    try {
      model = JSON.parse(served.quantizedJson) as QuantizedModel;
      commitment = commitModel(model).commitment;
    } catch (cause) {
      throw new WorkerError(
        'INVALID_MODEL',
        `model ${modelId}: quantizedJson is not a quantized model (${messageOf(cause)})`,
        {},
        { cause },
      );
    }
    // INVARIANT: the worker signs results only for the model the job's commitment names.
    if (!sameHex(commitment, expectedCommitment) || !sameHex(served.commitment, expectedCommitment)) {
      throw new WorkerError(
        'MODEL_COMMITMENT_MISMATCH',
        `model ${modelId}: the served model commits to ${commitment} (the API says ${served.commitment}), the job names ${expectedCommitment}; refusing to use it`,
      );
    }
    const backend = await OnnxRuntimeBackend.create(model, { provider: this.options.provider, traced: true });
    this.options.log?.info(
      { model: modelId, commitment, provider: backend.provider, steps: model.steps.length },
      'model loaded and verified',
    );
    return { commitment, model, backend };
  }

  private evict(): void {
    while (this.loaded.size > MAX_CACHED_MODELS) {
      const [oldestId, oldest] = this.loaded.entries().next().value as [string, Promise<LoadedModel>];
      this.loaded.delete(oldestId);
      oldest.then((m) => m.backend.release()).catch(() => undefined);
    }
  }
}
