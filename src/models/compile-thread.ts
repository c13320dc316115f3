/**
 * worker_threads entry of the ModelCompiler (model-compiler.ts): compiles one uploaded model and
 * posts the result, or the error as plain data (its class does not cross the thread boundary).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileModel, type CompiledModel } from './compile-model';

export interface CompileJob {
  bytes: Uint8Array;
  calibration?: number[][];
}

export interface ThreadFailure {
  name: string;
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

export type FromCompileThread = { type: 'done'; compiled: CompiledModel } | { type: 'failed'; error: ThreadFailure };

function failure(error: unknown): ThreadFailure {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code, details } = error as { code?: unknown; details?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(details && typeof details === 'object' ? { details: details as Record<string, unknown> } : {}),
  };
}

const job = workerData as CompileJob;
compileModel(job.bytes, job.calibration).then(
  (compiled) => parentPort?.postMessage({ type: 'done', compiled } satisfies FromCompileThread),
  (error: unknown) => parentPort?.postMessage({ type: 'failed', error: failure(error) } satisfies FromCompileThread),
);
