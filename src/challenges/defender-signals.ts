import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, type Notification } from 'pg';
import { DataSource } from 'typeorm';
import { InferenceEvents } from '../inference/inference-events';
import { JobSignal } from '../inference/job-signal';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';

/**
 * What the defender process tells the API process, over PostgreSQL NOTIFY: which inferences its
 * dispute watcher and outcomes changed (the API's `inferenceUpdated` subscribers read the rows
 * again), and that requests were queued again (workers long-polling for jobs wake up). The rows
 * are the truth; a signal lost while the API's listening connection reconnects only delays a
 * subscriber until the row's next change, and a worker until its long poll times out.
 */
export const INFERENCES_CHANGED_CHANNEL = 'verity_inferences_changed';
export const JOBS_QUEUED_CHANNEL = 'verity_jobs_queued';
/** NOTIFY payloads must stay under 8000 bytes: ids (uuids) are sent this many to a notification. */
const IDS_PER_NOTIFICATION = 100;
const RECONNECT_MS = 2_000;

/** InferenceEvents in `verity defender`: each change goes to the API process, where the subscribers are. */
@Injectable()
export class NotifyingInferenceEvents extends InferenceEvents {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  override async changed(ids: readonly string[]): Promise<void> {
    for (let at = 0; at < ids.length; at += IDS_PER_NOTIFICATION) {
      const chunk = ids.slice(at, at + IDS_PER_NOTIFICATION).join(',');
      await this.dataSource.query('SELECT pg_notify($1, $2)', [INFERENCES_CHANGED_CHANNEL, chunk]);
    }
  }
}

/** JobSignal in `verity defender`: a request queued again (its result refuted) wakes the API's workers. */
@Injectable()
export class NotifyingJobSignal extends JobSignal {
  private readonly log = new Logger(NotifyingJobSignal.name);

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  override notify(): void {
    this.dataSource
      .query('SELECT pg_notify($1, $2)', [JOBS_QUEUED_CHANNEL, ''])
      .catch((error: unknown) => this.log.warn(`could not signal queued jobs: ${(error as Error).message}`));
  }
}

/**
 * In the API process, when the dispute loops run in another process (DEFENDER_MODE child or
 * external): LISTENs on a connection of its own and replays the defender's signals locally.
 * Reconnects on its own when the connection drops.
 */
@Injectable()
export class DefenderSignalsListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(DefenderSignalsListener.name);
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private failing = false;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly events: InferenceEvents,
    private readonly jobs: JobSignal,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runtime.config.defender.runsLoops) void this.connect();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.runtime.databaseUrl });
    client.on('notification', (message) => this.relay(message));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${INFERENCES_CHANGED_CHANNEL}`);
      await client.query(`LISTEN ${JOBS_QUEUED_CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.failing) this.log.log('listening to the defender process again');
    this.failing = false;
  }

  private lost(client: Client, error: Error): void {
    if (this.closed || (this.client !== undefined && this.client !== client)) return;
    this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (!this.failing) this.log.warn(`not listening to the defender process (${error.message}); retrying every ${RECONNECT_MS / 1000} s`);
    this.failing = true;
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.closed) void this.connect();
      }, RECONNECT_MS);
    }
  }

  private relay(message: Notification): void {
    if (message.channel === JOBS_QUEUED_CHANNEL) {
      this.jobs.notify();
      return;
    }
    if (message.channel !== INFERENCES_CHANGED_CHANNEL || !message.payload) return;
    this.events.changed(message.payload.split(',')).catch((error: unknown) => {
      this.log.warn(`could not relay inference changes: ${(error as Error).message}`);
    });
  }
}
