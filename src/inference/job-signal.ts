import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/**
 * Wakes workers that long-poll for jobs when requests are queued (or leases return jobs). This
 * class wakes this process's workers only; NotifyingJobSignal (cluster-signals.ts) reaches every
 * API replica, whose listener calls `wake`.
 */
@Injectable()
export class JobSignal {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  notify(): void {
    this.wake();
  }

  /** Wakes this process's long-polling workers. */
  wake(): void {
    this.emitter.emit('jobs');
  }

  /** Resolves at the next notify() or after `timeoutMs`, whichever is first. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('jobs', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.emitter.once('jobs', done);
    });
  }
}
