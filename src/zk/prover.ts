/**
 * A pool of worker threads that compute Groth16 proofs, so the calling process's event loop stays
 * responsive while witnesses and proofs are computed (snarkjs runs much of both synchronously).
 * Each thread takes one job at a time; jobs queue in order. A thread that crashes fails its job
 * (PROOF_FAILED) and is replaced on the next job; `close()` ends every thread.
 */
import { existsSync } from 'node:fs';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { FromThread, ProveStage, ToThread } from './prover-thread';
import type { CircuitInput, Groth16Proof, PublicSignals } from './snarkjs';
import { threadEntry } from './thread-entry';
import { ZkError } from './zk.errors';

export type { ProveStage } from './prover-thread';

const CLOSE_TIMEOUT_MS = 5_000;

export interface ProveRequest {
  wasmPath: string;
  zkeyPath: string;
  input: CircuitInput;
  onProgress?: (stage: ProveStage, detail: string) => void;
}

export interface ProofResult {
  proof: Groth16Proof;
  publicSignals: PublicSignals;
  timings: { witnessMs: number; proveMs: number };
}

export interface ProverPoolOptions {
  /** Number of prover threads (default 1). */
  size?: number;
  /** V8 heap limits of each thread; a thread that exceeds them fails its job, not the process. */
  resourceLimits?: ResourceLimits;
}

interface Job {
  id: number;
  request: ProveRequest;
  resolve(result: ProofResult): void;
  reject(error: ZkError): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

export class ProverPool {
  private readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: ProverPoolOptions = {}) {
    this.size = options.size ?? 1;
    if (!Number.isInteger(this.size) || this.size < 1)
      throw new ZkError('PROOF_FAILED', `prover pool size must be a positive integer, got ${this.size}`);
  }

  /** Computes a witness and a Groth16 proof in a pool thread. Rejects with PROOF_FAILED. */
  prove(request: ProveRequest): Promise<ProofResult> {
    if (this.closed) return Promise.reject(new ZkError('PROOF_FAILED', 'the prover pool is closed'));
    for (const path of [request.wasmPath, request.zkeyPath]) {
      if (!existsSync(path)) return Promise.reject(new ZkError('PROOF_FAILED', `${path} does not exist`));
    }
    return new Promise<ProofResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, resolve, reject });
      this.dispatch();
    });
  }

  /** Fails queued and running jobs and ends every thread (terminating its curve first). */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(new ZkError('PROOF_FAILED', 'the prover pool was closed before the job ran'));
    await Promise.all(this.slots.map((slot) => this.stopSlot(slot)));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.startSlot();
      if (!slot) return;
      const job = this.queue.shift() as Job;
      slot.job = job;
      slot.worker.ref();
      const { wasmPath, zkeyPath, input } = job.request;
      const message: ToThread = { type: 'prove', id: job.id, wasmPath, zkeyPath, input };
      slot.worker.postMessage(message);
    }
  }

  private startSlot(): Slot {
    const entry = threadEntry('prover-thread');
    const worker = new Worker(entry.path, {
      execArgv: entry.execArgv,
      env: entry.env,
      resourceLimits: this.options.resourceLimits,
    });
    const slot: Slot = { worker };
    this.slots.push(slot);
    worker.on('message', (message: FromThread) => this.onMessage(slot, message));
    worker.on('error', (error) =>
      this.finish(
        slot,
        undefined,
        new ZkError('PROOF_FAILED', `prover thread crashed: ${error.message}`, undefined, error),
      ),
    );
    worker.on('exit', (code) => {
      this.finish(
        slot,
        undefined,
        new ZkError(
          'PROOF_FAILED',
          this.closed
            ? 'the prover pool was closed while the proof was running'
            : `prover thread exited (code ${code}) before the proof was done`,
        ),
      );
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (!this.closed) this.dispatch();
    });
    return slot;
  }

  private onMessage(slot: Slot, message: FromThread): void {
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    switch (message.type) {
      case 'progress':
        job.request.onProgress?.(message.stage, message.detail);
        break;
      case 'done':
        this.finish(slot, {
          proof: message.proof,
          publicSignals: message.publicSignals,
          timings: message.timings,
        });
        break;
      case 'failed':
        this.finish(slot, undefined, failure(message));
        break;
    }
  }

  /** Settles the slot's job (once) and hands the slot the next one. */
  private finish(slot: Slot, result?: ProofResult, error?: ZkError): void {
    const job = slot.job;
    if (!job) return;
    slot.job = undefined;
    slot.worker.unref();
    if (result) job.resolve(result);
    else job.reject(error ?? new ZkError('PROOF_FAILED', 'proof failed'));
    if (!this.closed) this.dispatch();
  }

  private async stopSlot(slot: Slot): Promise<void> {
    const exited = new Promise<void>((resolve) => slot.worker.once('exit', () => resolve()));
    slot.worker.postMessage({ type: 'close' } satisfies ToThread);
    const timer = setTimeout(() => void slot.worker.terminate(), CLOSE_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

function failure(message: Extract<FromThread, { type: 'failed' }>): ZkError {
  const reason = message.message.trim();
  if (message.phase === 'witness') {
    return new ZkError(
      'PROOF_FAILED',
      `witness calculation failed (the input violates a circuit constraint or does not fit the circuit): ${reason}`,
      {
        phase: 'witness',
      },
    );
  }
  return new ZkError('PROOF_FAILED', `groth16 prove failed: ${reason}`, { phase: 'prove' });
}
