import type { BeforeApplicationShutdown, LoggerService } from '@nestjs/common';
import { PollingLoop } from './polling-loop';

/**
 * Background loops that start and stop together: the settlement pipeline's (SettlementLoops) and
 * the dispute watcher and defender (ChallengesLoops). A provider extends it, adds its loops in its
 * constructor and says when they start; they stop before the application shuts down, each stop
 * awaiting the iteration in progress so nothing is cut off between a send and the row that records it.
 */
export abstract class PollingLoops implements BeforeApplicationShutdown {
  private readonly all: PollingLoop[] = [];

  protected constructor(private readonly log: LoggerService) {}

  get loops(): readonly PollingLoop[] {
    return this.all;
  }

  get isRunning(): boolean {
    return this.all.every((loop) => loop.isRunning);
  }

  /** One more loop: `iterate` again and again, `intervalMs` apart (PollingLoop). */
  protected add(name: string, intervalMs: number, iterate: () => Promise<unknown>): void {
    this.all.push(new PollingLoop(name, intervalMs, async () => void (await iterate()), this.log));
  }

  start(): void {
    for (const loop of this.all) loop.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((loop) => loop.stop()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
