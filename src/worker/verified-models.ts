/**
 * The models a worker computes with, each fetched once from the API and used only when
 * commitModel of the JSON it serves equals the commitment the job names, kept loaded with its
 * traced onnxruntime session; the least recently used one is released beyond MAX_CACHED_MODELS.
 */
import type { Hex } from 'viem';
import type { Logger } from 'pino';
import { type ExecutionProvider, type QuantizedModel, OnnxRuntimeBackend, commitModel } from '../engine';
import type { ApiModel } from './worker-api-client';
import { WorkerError } from './worker.errors';

/** Models (and their onnxruntime sessions) kept loaded; the least recently used one is released beyond this. */
export const MAX_CACHED_MODELS = 8;

export interface ModelSource {
  model(id: string): Promise<ApiModel>;
}

export interface LoadedModel {
  commitment: Hex;
  model: QuantizedModel;
  backend: OnnxRuntimeBackend;
}

export const sameHex = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class VerifiedModels {
  private readonly loaded = new Map<string, Promise<LoadedModel>>();

  constructor(
    private readonly source: ModelSource,
    private readonly provider: ExecutionProvider,
    private readonly log?: Logger,
  ) {}

  /** The model, fetched once, verified against the commitment the job names, with its backend. */
  get(modelId: string, expectedCommitment: Hex): Promise<LoadedModel> {
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
    const served = await this.source.model(modelId);
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
    const backend = await OnnxRuntimeBackend.create(model, { provider: this.provider, traced: true });
    this.log?.info(
      { model: modelId, commitment, provider: backend.provider, steps: model.steps.length },
      'model loaded and verified',
    );
    return { commitment, model, backend };
  }

  /** Releases every cached onnxruntime session. */
  async release(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.all(all.map((p) => p.then((m) => m.backend.release()).catch(() => undefined)));
  }

  private evict(): void {
    while (this.loaded.size > MAX_CACHED_MODELS) {
      const [oldestId, oldest] = this.loaded.entries().next().value as [string, Promise<LoadedModel>];
      this.loaded.delete(oldestId);
      oldest.then((m) => m.backend.release()).catch(() => undefined);
    }
  }
}
