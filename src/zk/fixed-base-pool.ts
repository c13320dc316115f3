/**
 * A few worker threads that each run a FixedBaseMultiplier: `multiply(group, scalars)` splits the
 * batch across them and returns the affine LEM points in order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SCALAR_BYTES, type CurveGroup } from './fixed-base';
import type { FixedBaseJob, FixedBaseReply } from './fixed-base-thread';
import { threadEntry } from './thread-entry';

const POINT_BYTES: Record<CurveGroup, number> = { G1: 64, G2: 128 };

export class FixedBasePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve(points: Uint8Array): void; reject(error: Error): void }>();
  private nextId = 0;

  constructor(threads = Math.max(1, Math.min(availableParallelism(), 8))) {
    const entry = threadEntry('fixed-base-thread');
    this.workers = Array.from({ length: threads }, () => {
      const worker = new Worker(entry.path, { execArgv: entry.execArgv, env: entry.env });
      worker.on('message', (reply: FixedBaseReply) => this.settle(reply));
      worker.on('error', (error) => this.failAll(error));
      return worker;
    });
  }

  /** k_i·G of `group`'s generator for each SCALAR_BYTES scalar, as affine LEM points in order. */
  async multiply(group: CurveGroup, scalars: Uint8Array): Promise<Uint8Array> {
    const count = scalars.length / SCALAR_BYTES;
    const share = Math.ceil(count / this.workers.length);
    const parts = await Promise.all(
      this.workers.map((worker, i) => {
        const from = Math.min(count, i * share);
        const to = Math.min(count, from + share);
        if (from === to) return Promise.resolve(new Uint8Array(0));
        const slice = scalars.slice(from * SCALAR_BYTES, to * SCALAR_BYTES);
        return this.send(worker, { id: this.nextId++, group, scalars: slice });
      }),
    );
    const out = new Uint8Array(count * POINT_BYTES[group]);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.failAll(new Error('fixed-base pool closed'));
  }

  private send(worker: Worker, job: FixedBaseJob): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.pending.set(job.id, { resolve, reject });
      worker.postMessage(job, [job.scalars.buffer as ArrayBuffer]);
    });
  }

  private settle(reply: FixedBaseReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if ('error' in reply) waiter.reject(new Error(`fixed-base thread: ${reply.error}`));
    else waiter.resolve(reply.points);
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
