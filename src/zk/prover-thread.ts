/**
 * worker_threads entry of the ProverPool (src/zk/prover.ts): computes the witness
 * (`wtns calculate`) and the Groth16 proof (`groth16 prove`) for one job at a time, timing each,
 * and reports progress. On `close` it terminates the bn128 curve (whose own worker threads would
 * otherwise keep it alive) and exits.
 */
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { snarkjs, terminateCurve, type CircuitInput, type Groth16Proof, type PublicSignals } from './snarkjs';

export type ProveStage = 'witness-started' | 'witness-done' | 'proving-started' | 'proving-done';

export type ToThread =
  { type: 'prove'; id: number; wasmPath: string; zkeyPath: string; input: CircuitInput } | { type: 'close' };

export type FromThread =
  | { type: 'progress'; id: number; stage: ProveStage; detail: string }
  | {
      type: 'done';
      id: number;
      proof: Groth16Proof;
      publicSignals: PublicSignals;
      timings: { witnessMs: number; proveMs: number };
    }
  | { type: 'failed'; id: number; phase: 'witness' | 'prove'; message: string };

function post(message: FromThread): void {
  parentPort?.postMessage(message);
}

async function prove(job: Extract<ToThread, { type: 'prove' }>): Promise<void> {
  const { id } = job;
  const witness = { type: 'mem' as const };
  let phase: 'witness' | 'prove' = 'witness';
  try {
    post({ type: 'progress', id, stage: 'witness-started', detail: job.wasmPath });
    const witnessStart = performance.now();
    await snarkjs.wtns.calculate(job.input, job.wasmPath, witness);
    const witnessMs = performance.now() - witnessStart;
    post({ type: 'progress', id, stage: 'witness-done', detail: `${witnessMs.toFixed(0)} ms` });
    phase = 'prove';
    post({ type: 'progress', id, stage: 'proving-started', detail: job.zkeyPath });
    const proveStart = performance.now();
    const { proof, publicSignals } = await snarkjs.groth16.prove(job.zkeyPath, witness);
    const proveMs = performance.now() - proveStart;
    post({ type: 'progress', id, stage: 'proving-done', detail: `${proveMs.toFixed(0)} ms` });
    post({ type: 'done', id, proof, publicSignals, timings: { witnessMs, proveMs } });
  } catch (error) {
    post({ type: 'failed', id, phase, message: error instanceof Error ? error.message : String(error) });
  }
}

parentPort?.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'prove':
      void prove(message);
      break;
    case 'close':
      void terminateCurve().finally(() => process.exit(0));
      break;
  }
});
