import { Inject, Injectable } from '@nestjs/common';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { formatEther } from 'viem';
import { DISPUTE_STATUSES } from '../challenges/dispute-row';
import { INFERENCE_STATUSES } from '../inference/inference-status';
import { STATUSES_QUEUED, statusIn } from '../inference/lifecycle';
import { ServiceMetrics } from '../metrics/service-metrics';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { ChainHealthIndicator } from './chain.health-indicator';
import { DefenderHealthIndicator } from './defender.health-indicator';

/** Scrapes closer together than this share one reading: the database and the chain see at most one per interval. */
export const GAUGES_READ_INTERVAL_MS = 2_000;
/** The workers' total stake is read from the chain at most this often. */
export const STAKE_READ_INTERVAL_MS = 30_000;
/** A worker counts as active when it called the API this recently. */
export const ACTIVE_WORKER_SECONDS = 300;

interface CountsRow {
  inferences: Record<string, number>;
  queue_age_seconds: number | null;
  disputes: Record<string, number>;
  workers: number;
  active_workers: number;
}

/**
 * Sets the gauges of GET /metrics from the rows the service keeps and from the checks of GET
 * /health: one statement over the inferences (counts by status, the oldest queued), disputes and
 * workers tables, the three health checks, and the WorkerRegistry's balance (every 30 s). Reads at
 * most once per GAUGES_READ_INTERVAL_MS however often it is scraped, one reading at a time.
 */
@Injectable()
export class ServiceGauges {
  private reading: Promise<void> | undefined;
  private readAt = Number.NEGATIVE_INFINITY;
  private stakeReadAt = Number.NEGATIVE_INFINITY;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly metrics: ServiceMetrics,
    private readonly database: TypeOrmHealthIndicator,
    private readonly chain: ChainHealthIndicator,
    private readonly defender: DefenderHealthIndicator,
  ) {}

  /** The gauges, read again unless they were read less than GAUGES_READ_INTERVAL_MS ago. */
  refresh(): Promise<void> {
    if (Date.now() - this.readAt < GAUGES_READ_INTERVAL_MS) return Promise.resolve();
    this.reading ??= this.read().finally(() => {
      this.readAt = Date.now();
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    const [database, chain, defender] = await Promise.all([
      this.database.pingCheck('database', { timeout: 2_000 }).then((result) => result.database?.status === 'up', () => false),
      this.chain.check(),
      this.defender.check(),
    ]);
    const { up } = this.metrics;
    up.set({ check: 'database' }, database && (await this.readCounts()) ? 1 : 0);
    up.set({ check: 'chain' }, chain.chain?.status === 'up' ? 1 : 0);
    up.set({ check: 'defender' }, defender.defender?.status === 'up' ? 1 : 0);
    const block = Number(chain.chain?.blockNumber);
    if (Number.isFinite(block)) this.metrics.chainBlock.set(block);
    if (chain.chain?.status === 'up' && Date.now() - this.stakeReadAt >= STAKE_READ_INTERVAL_MS) await this.readStake();
  }

  /** Whether the counts were read (a failing query leaves the last ones). */
  private async readCounts(): Promise<boolean> {
    let row: CountsRow;
    try {
      [row] = await this.dataSource.query<CountsRow[]>(
        `SELECT (SELECT coalesce(json_object_agg(status, n), '{}') FROM
                  (SELECT status, count(*)::int AS n FROM inferences GROUP BY status) s) AS inferences,
                (SELECT extract(epoch FROM clock_timestamp() - min(created_at))::float8
                   FROM inferences WHERE ${statusIn('status', STATUSES_QUEUED)}) AS queue_age_seconds,
                (SELECT coalesce(json_object_agg(status, n), '{}') FROM
                  (SELECT status, count(*)::int AS n FROM disputes GROUP BY status) d) AS disputes,
                (SELECT count(*)::int FROM workers) AS workers,
                (SELECT count(*)::int FROM workers
                  WHERE last_seen_at > clock_timestamp() - make_interval(secs => $1)) AS active_workers`,
        [ACTIVE_WORKER_SECONDS],
      );
    } catch {
      return false;
    }
    for (const status of INFERENCE_STATUSES) this.metrics.inferences.set({ status }, row.inferences[status] ?? 0);
    for (const status of DISPUTE_STATUSES) this.metrics.disputes.set({ status }, row.disputes[status] ?? 0);
    this.metrics.queueAge.set(Math.max(0, row.queue_age_seconds ?? 0));
    this.metrics.workers.set({ seen: 'ever' }, row.workers);
    this.metrics.workers.set({ seen: '5m' }, row.active_workers);
    return true;
  }

  private async readStake(): Promise<void> {
    const { publicClient } = this.runtime.chain;
    try {
      const wei = await publicClient.getBalance({ address: this.runtime.deployment.contracts.WorkerRegistry });
      this.metrics.workerStake.set(Number(formatEther(wei)));
      this.stakeReadAt = Date.now();
    } catch {
      // the chain gauge already says the node is not answering; the next scrape tries again
    }
  }
}
