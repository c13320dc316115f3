import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Results in one committed batch (MAX_BATCH_SIZE is 64). */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
/** From a batch formed to its commit mined: a block or two on a development chain, minutes when gas spikes. */
const COMMIT_LATENCY_BUCKETS_SECONDS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900];
/** Witness and Groth16 proof of one inference: under a second for a small model, minutes for a large one. */
const PROVE_BUCKETS_SECONDS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];

/**
 * The API process's Prometheus metrics (GET /metrics, src/health/metrics.controller.ts): Node's
 * defaults, the histograms the pipeline observes where it commits batches and finishes proofs, and
 * the gauges read from the database and the health checks at scrape time (src/health/service-gauges.ts).
 */
@Injectable()
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly batchSize = new Histogram({
    name: 'verity_batch_size_results',
    help: 'Results in each batch whose commit was mined',
    buckets: BATCH_SIZE_BUCKETS,
    registers: [this.registry],
  });

  readonly batchCommitLatency = new Histogram({
    name: 'verity_batch_commit_latency_seconds',
    help: 'From a batch formed to its commitBatch mined and recorded',
    buckets: COMMIT_LATENCY_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  readonly proveTime = new Histogram({
    name: 'verity_zk_prove_seconds',
    help: 'Witness and Groth16 proof of one zk-mode inference',
    buckets: PROVE_BUCKETS_SECONDS,
    registers: [this.registry],
  });

  readonly inferences = new Gauge({
    name: 'verity_inferences',
    help: 'Inferences by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly queueAge = new Gauge({
    name: 'verity_queue_oldest_age_seconds',
    help: 'Age of the oldest request waiting for a worker (REQUESTED), 0 when none waits',
    registers: [this.registry],
  });

  readonly disputes = new Gauge({
    name: 'verity_disputes',
    help: "Disputes on the service's results by status (OPEN, DEFENDER_WON, CHALLENGER_WON)",
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly workers = new Gauge({
    name: 'verity_workers',
    help: 'Registered workers: all, and those that called the API in the last 5 minutes',
    labelNames: ['seen'] as const,
    registers: [this.registry],
  });

  readonly workerStake = new Gauge({
    name: 'verity_workers_stake_ether',
    help: "Ether the WorkerRegistry holds: every worker's stake, those leaving included (read every 30 s)",
    registers: [this.registry],
  });

  readonly up = new Gauge({
    name: 'verity_up',
    help: 'Whether each health check of GET /health passes (1) or not (0)',
    labelNames: ['check'] as const,
    registers: [this.registry],
  });

  readonly chainBlock = new Gauge({
    name: 'verity_chain_block_number',
    help: 'The latest block the chain node reported to the health check',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
