import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PollingLoop } from '../settlement/polling-loop';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from '../settlement/settlement.options';
import { CHALLENGES_OPTIONS, type ChallengesOptions } from './challenges.options';
import { DisputeDefender } from './dispute-defender';
import { DisputeWatcher } from './dispute-watcher';

/**
 * Runs the dispute watcher and the defender in the API process, like the settlement pipeline's
 * loops (SettlementLoops): started when the application has bootstrapped if the pipeline starts
 * its own (SettlementOptions.autoStart), stopped before it shuts down, each stop awaiting the
 * iteration in progress so no move is cut off between its send and the row that records it.
 */
@Injectable()
export class ChallengesLoops implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(ChallengesLoops.name);
  readonly loops: readonly PollingLoop[];

  constructor(
    @Inject(SETTLEMENT_OPTIONS) private readonly settlement: SettlementOptions,
    @Inject(CHALLENGES_OPTIONS) options: ChallengesOptions,
    watcher: DisputeWatcher,
    defender: DisputeDefender,
  ) {
    this.loops = [
      new PollingLoop(
        'dispute watcher',
        options.watcherIntervalMs,
        async () => void (await watcher.runOnce()),
        this.log,
      ),
      new PollingLoop('dispute defender', options.defenderIntervalMs, () => defender.runOnce(), this.log),
    ];
  }

  onApplicationBootstrap(): void {
    if (this.settlement.autoStart) this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    for (const loop of this.loops) loop.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }
}
