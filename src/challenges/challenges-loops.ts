import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AccountLease } from '../chain-tx/account-lease';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { PollingLoops } from '../polling/polling-loops';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from '../settlement/settlement.options';
import { CHALLENGES_OPTIONS, type ChallengesOptions } from './challenges.options';
import { DefenderHeartbeat } from './defender-heartbeat';
import { DisputeDefender } from './dispute-defender';
import { DisputeWatcher } from './dispute-watcher';

/**
 * Runs the dispute watcher and the defender, like the settlement pipeline's loops
 * (SettlementLoops), in the process whose config says it runs them (AppConfig.defender.runsLoops):
 * `verity defender`, or the API with DEFENDER_MODE=in-process. Started when the application has
 * bootstrapped if the pipeline starts its own (SettlementOptions.autoStart), stopped before it
 * shuts down (PollingLoops). Each full defender pass ends with a heartbeat (DefenderHeartbeat).
 */
@Injectable()
export class ChallengesLoops extends PollingLoops implements OnApplicationBootstrap {
  constructor(
    @Inject(SETTLEMENT_OPTIONS) private readonly settlement: SettlementOptions,
    @Inject(CHALLENGES_OPTIONS) options: ChallengesOptions,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly accountLease: AccountLease,
    watcher: DisputeWatcher,
    defender: DisputeDefender,
    heartbeat: DefenderHeartbeat,
  ) {
    super(new Logger(ChallengesLoops.name));
    this.add('dispute watcher', options.watcherIntervalMs, () => watcher.runOnce());
    this.add('dispute defender', options.defenderIntervalMs, async () => {
      await defender.runOnce();
      await heartbeat.beat();
    });
  }

  /** Whether the loops run (or would run, with autoStart) in this process. */
  get runsHere(): boolean {
    return this.runtime.config.defender.runsLoops;
  }

  /** Run while this process holds the defending account's lease (one defender per key, AccountLease). */
  async onApplicationBootstrap(): Promise<void> {
    if (this.settlement.autoStart && this.runsHere) await this.accountLease.run({ start: () => this.start(), stop: () => this.stop() });
  }
}
