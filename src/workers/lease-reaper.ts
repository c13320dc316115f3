import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { JobsService } from './jobs.service';
import { WorkerAuthService } from './worker-auth.service';
import { LEASE_REAPER_INTERVAL_MS } from './workers.constants';

/** Background loop: returns expired leases to the queue, forgets expired call nonces and old lapses. */
@Injectable()
export class LeaseReaper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LeaseReaper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private ticks = 0;

  constructor(
    private readonly jobs: JobsService,
    private readonly auth: WorkerAuthService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, LEASE_REAPER_INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    try {
      const returned = await this.jobs.reapExpiredLeases();
      if (returned.length > 0)
        this.logger.warn(`${returned.length} expired lease(s) returned to the queue or failed`);
      if (++this.ticks % 120 === 0) {
        await this.auth.pruneNonces();
        await this.jobs.pruneLapses();
      }
    } catch (error) {
      this.logger.error(`lease reaper: ${(error as Error).message}`);
    }
  }
}
