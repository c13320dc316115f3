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
import { MODEL_REGISTERED_CHANNEL, ModelsService } from '../models/models.service';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import type { InferenceEntity } from './inference.entity';
import { InferenceEvents } from './inference-events';
import { JobSignal } from './job-signal';

/**
 * What every process sharing the database tells the others, over PostgreSQL NOTIFY: which
 * inferences changed (every API replica's `inferenceUpdated` subscribers read the rows again),
 * that requests were queued (workers long-polling on any replica wake up), and that a model was
 * registered (`modelRegistered` subscribers). The API replicas and `verity defender` all send
 * them; every API replica listens, its own signals included, so a subscriber hears of a change
 * whichever replica made it. The rows are the truth; a signal lost while a listening connection
 * reconnects only delays a subscriber until the row's next change, and a worker until its long
 * poll times out.
 */
export const INFERENCES_CHANGED_CHANNEL = 'verity_inferences_changed';
export const JOBS_QUEUED_CHANNEL = 'verity_jobs_queued';
/** NOTIFY payloads must stay under 8000 bytes: ids (uuids) are sent this many to a notification. */
const IDS_PER_NOTIFICATION = 100;
const RECONNECT_MS = 2_000;

/** InferenceEvents of a process that shares the database: each change goes to every API replica. */
@Injectable()
export class NotifyingInferenceEvents extends InferenceEvents {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  override async changed(ids: readonly string[], passed: readonly InferenceEntity[] = []): Promise<void> {
    // The states a transaction passed through (rows, too large for a NOTIFY) go to this process's
    // followers, the only ones the caller read them for (InferenceEvents.watched); the ids go to
    // every replica, this one included (a follower skips a state it has already seen).
    if (passed.length > 0) await this.deliver([...new Set(passed.map((row) => row.id))], passed);
    for (let at = 0; at < ids.length; at += IDS_PER_NOTIFICATION) {
      const chunk = ids.slice(at, at + IDS_PER_NOTIFICATION).join(',');
      await this.dataSource.query('SELECT pg_notify($1, $2)', [INFERENCES_CHANGED_CHANNEL, chunk]);
    }
  }
}

/** JobSignal of a process that shares the database: queued requests wake the workers of every replica. */
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
 * In every API process: LISTENs on a connection of its own and delivers the signals of every
 * process (this one's included) to this process's subscribers and long-polling workers. The first
 * connection is made before the application is bootstrapped, so nothing a request causes is
 * missed; it reconnects on its own when the connection drops.
 */
@Injectable()
export class ClusterSignalsListener implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(ClusterSignalsListener.name);
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private failing = false;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly events: InferenceEvents,
    private readonly jobs: JobSignal,
    private readonly models: ModelsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
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
      await client.query(`LISTEN ${MODEL_REGISTERED_CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    if (this.failing) this.log.log('listening to the other processes again');
    this.failing = false;
  }

  private lost(client: Client, error: Error): void {
    if (this.closed || (this.client !== undefined && this.client !== client)) return;
    this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (!this.failing) this.log.warn(`not listening to the other processes (${error.message}); retrying every ${RECONNECT_MS / 1000} s`);
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
      this.jobs.wake();
      return;
    }
    if (!message.payload) return;
    const relayed =
      message.channel === INFERENCES_CHANGED_CHANNEL
        ? this.events.deliver(message.payload.split(','))
        : message.channel === MODEL_REGISTERED_CHANNEL
          ? this.models.deliverRegistered(message.payload)
          : Promise.resolve();
    relayed.catch((error: unknown) => this.log.warn(`could not relay ${message.channel}: ${(error as Error).message}`));
  }
}
