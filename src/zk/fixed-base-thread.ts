/**
 * worker_threads entry of the FixedBasePool (src/zk/fixed-base-pool.ts): multiplies one group's
 * generator by a batch of scalars at a time on its own single-threaded bn128 instance.
 */
import { parentPort } from 'node:worker_threads';
import './snarkjs';
import { buildSingleThreadCurve, FixedBaseMultiplier, type CurveGroup } from './fixed-base';

export interface FixedBaseJob {
  id: number;
  group: CurveGroup;
  /** SCALAR_BYTES per scalar, little-endian, below the group order. */
  scalars: Uint8Array;
}

export type FixedBaseReply = { id: number; points: Uint8Array } | { id: number; error: string };

const multipliers = new Map<CurveGroup, FixedBaseMultiplier>();
const curve = buildSingleThreadCurve();

async function run(job: FixedBaseJob): Promise<FixedBaseReply> {
  try {
    let multiplier = multipliers.get(job.group);
    if (!multiplier) {
      multiplier = new FixedBaseMultiplier(await curve, job.group);
      multipliers.set(job.group, multiplier);
    }
    return { id: job.id, points: multiplier.multiply(job.scalars) };
  } catch (error) {
    return { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on('message', (job: FixedBaseJob) => {
  void run(job).then((reply) => {
    const transfer = 'points' in reply ? [reply.points.buffer as ArrayBuffer] : [];
    parentPort?.postMessage(reply, transfer);
  });
});
