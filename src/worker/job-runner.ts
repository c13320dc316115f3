/**
 * Turns claimed jobs into signed results, trusting the API for nothing it could lie about: a
 * model is used only when commitModel of the JSON it serves equals the job's modelCommitment
 * (verified-models.ts), and a job only when commitTensor(inputFixed) equals its inputCommitment
 * (job-checks.ts). Jobs are grouped by model,
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
  dequantize,
  isEngineError,
  traceOf,
} from '../engine';
import type { ClaimedJob, ResultSubmission } from './worker-api-client';
import { checkedInput } from './job-checks';
import { messageOf, VerifiedModels, type LoadedModel, type ModelSource } from './verified-models';
import { wrongOutputTrace, type WorkerFault } from './fault-injection';
import { WorkerError, type WorkerErrorCode } from './worker.errors';

export type { ModelSource } from './verified-models';

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

interface ReadyJob {
  job: ClaimedJob;
  fixed: Float64Array;
}

const codeOf = (error: unknown): WorkerErrorCode =>
  error instanceof WorkerError || isEngineError(error) ? error.code : 'INVALID_JOB';

export class JobRunner {
  private readonly models: VerifiedModels;

  constructor(private readonly options: JobRunnerOptions) {
    this.models = new VerifiedModels(options.models, options.provider, options.log);
  }

  /** Results for every job that could be computed honestly; the others are refused with a reason. */
  async run(jobs: readonly ClaimedJob[]): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { results: [], refused: [], stats: [] };
    const byModel = new Map<string, ClaimedJob[]>();
    for (const job of jobs) byModel.set(job.modelId, [...(byModel.get(job.modelId) ?? []), job]);
    for (const [modelId, group] of byModel) {
      let loaded: LoadedModel;
      try {
        loaded = await this.models.get(modelId, group[0].modelCommitment);
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
    await this.models.release();
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
        ready.push({ job, fixed: checkedInput(job, loaded) });
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

}
