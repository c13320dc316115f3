/**
 * Compiles uploaded models in worker threads with a memory cap (V8 resourceLimits) and a deadline
 * after which the thread is terminated, so that no model, however crafted, stalls the API's event
 * loop (where the dispute defender answers 300 s clocks) or exhausts its heap. One fresh thread
 * per model: nothing a model did survives it. Errors come back with their codes: the engine's as
 * EngineError, a hit cap as ModelsError MODEL_LIMIT_EXCEEDED or MODEL_IMPORT_TIMEOUT.
 */
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { threadEntryIn } from '../common/thread-entry';
import { EngineError, isEngineErrorCode } from '../engine';
import type { CompiledModel } from './compile-model';
import type { CompileJob, FromCompileThread, ThreadFailure } from './compile-thread';
import {
  MAX_QUEUED_MODEL_COMPILES,
  MODEL_COMPILE_HEAP_MB,
  MODEL_COMPILE_TIMEOUT_MS,
  MODEL_COMPILE_YOUNG_HEAP_MB,
  MODEL_COMPILES_AT_ONCE,
} from './models.constants';
import { MODELS_ERROR_CATEGORIES, ModelsError, type ModelsErrorCode } from './models.errors';

export interface ModelCompilerOptions {
  timeoutMs?: number;
  heapMb?: number;
  concurrency?: number;
  maxQueued?: number;
}

@Injectable()
export class ModelCompiler implements OnModuleDestroy {
  private readonly timeoutMs: number;
  private readonly heapMb: number;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly waiting: (() => void)[] = [];
  private readonly running = new Set<Worker>();
  private active = 0;
  private closed = false;

  constructor(options: ModelCompilerOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? MODEL_COMPILE_TIMEOUT_MS;
    this.heapMb = options.heapMb ?? MODEL_COMPILE_HEAP_MB;
    this.concurrency = options.concurrency ?? MODEL_COMPILES_AT_ONCE;
    this.maxQueued = options.maxQueued ?? MAX_QUEUED_MODEL_COMPILES;
  }

  /** compileModel (compile-model.ts) in a capped thread of its own, after the uploads queued before it. */
  async compile(bytes: Uint8Array, calibration?: number[][]): Promise<CompiledModel> {
    await this.slot();
    try {
      return await this.runThread({ bytes, calibration });
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Terminates running compiles (they fail) and refuses new ones. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running].map((worker) => worker.terminate()));
  }

  /** Takes a compile slot, or waits for one that a finishing compile hands over. */
  private slot(): Promise<void> {
    if (this.closed) return Promise.reject(new ModelsError('MODEL_COMPILER_BUSY', 'the service is shutting down'));
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(
        new ModelsError('MODEL_COMPILER_BUSY', `${this.maxQueued} uploads are already waiting to be compiled; retry later`, {
          queued: this.waiting.length,
        }),
      );
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private runThread(job: CompileJob): Promise<CompiledModel> {
    const entry = threadEntryIn(__dirname, 'compile-thread');
    const worker = new Worker(entry.path, {
      execArgv: entry.execArgv,
      env: entry.env,
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: MODEL_COMPILE_YOUNG_HEAP_MB },
    });
    this.running.add(worker);
    return new Promise<CompiledModel>((resolve, reject) => {
      let settled = false;
      const settle = (error: Error | undefined, compiled?: CompiledModel): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (error) reject(error);
        else resolve(compiled as CompiledModel);
        void worker.terminate();
      };
      const deadline = setTimeout(() => {
        settle(
          new ModelsError(
            'MODEL_IMPORT_TIMEOUT',
            `compiling the model took longer than ${this.timeoutMs} ms (MODEL_COMPILE_TIMEOUT_MS) and was stopped`,
            { limit: 'MODEL_COMPILE_TIMEOUT_MS', cap: this.timeoutMs },
          ),
        );
      }, this.timeoutMs);
      worker.on('message', (message: FromCompileThread) => {
        if (message.type === 'done') settle(undefined, message.compiled);
        else settle(rebuild(message.error));
      });
      worker.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          settle(
            new ModelsError(
              'MODEL_LIMIT_EXCEEDED',
              `compiling the model needed more than ${this.heapMb} MB of memory (MODEL_COMPILE_HEAP_MB) and was stopped`,
              { limit: 'MODEL_COMPILE_HEAP_MB', cap: this.heapMb },
            ),
          );
        } else {
          settle(new ModelsError('INVALID_MODEL_UPLOAD', `the model could not be compiled: ${error.message}`));
        }
      });
      worker.on('exit', (code) => {
        this.running.delete(worker);
        settle(new ModelsError('MODEL_IMPORT_TIMEOUT', `the compile thread stopped (code ${code}) before it answered`));
      });
    });
  }
}

/**
 * The thread's error with its class and code again: an engine code as an EngineError, a models
 * code (the dispute-gas bound, DISPUTE_MOVE_OVER_BUDGET) as a ModelsError; any other stays
 * uncoded (internal).
 */
function rebuild(error: ThreadFailure): Error {
  if (error.code && isEngineErrorCode(error.code)) {
    return new EngineError(error.code, error.message, error.details ?? {});
  }
  if (error.code && Object.hasOwn(MODELS_ERROR_CATEGORIES, error.code)) {
    return new ModelsError(error.code as ModelsErrorCode, error.message, error.details ?? {});
  }
  return Object.assign(new Error(error.message), { name: error.name });
}
