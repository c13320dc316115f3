/**
 * worker_threads entry of prepareZkCircuitInThread (zk-pipeline.ts): runs the whole preparation
 * (compile, ptau, Groth16 setup, contributions, beacon) off the caller's event loop, which stays
 * free to serve requests while snarkjs works, and reports progress as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { QuantizedModel } from '../engine';
import { terminateCurve } from './snarkjs';
import { type PreparedZkCircuit, prepareZkCircuit } from './zk-pipeline';
import { invariant } from '../common/invariant';

export interface PipelineThreadData {
  model: QuantizedModel;
  batchSize: number;
  options: { cacheDir: string; ptauPath?: string; maxPower: number; contributions?: { name: string; entropy?: string }[] };
}

export type PipelineThreadMessage =
  | { type: 'progress'; stage: string; detail: string }
  | { type: 'warn'; message: string }
  | { type: 'done'; prepared: PreparedZkCircuit }
  | { type: 'failed'; code?: string; message: string; details?: Record<string, unknown> };

async function run(): Promise<void> {
  const port = parentPort;
  invariant(port, 'zk-pipeline-thread runs in a worker thread');
  const data = workerData as PipelineThreadData;
  const post = (message: PipelineThreadMessage) => port.postMessage(message);
  try {
    const prepared = await prepareZkCircuit(data.model, data.batchSize, {
      ...data.options,
      onProgress: (stage, detail) => post({ type: 'progress', stage, detail }),
      log: { warn: (message: string) => post({ type: 'warn', message }) },
    });
    post({ type: 'done', prepared });
  } catch (error) {
    const coded = error as { code?: string; details?: Record<string, unknown> };
    post({ type: 'failed', code: coded.code, message: error instanceof Error ? error.message : String(error), details: coded.details });
  } finally {
    await terminateCurve();
  }
}

void run();
