import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BatchCommitter } from './batch-committer';
import { ChainIdentityGuard } from './chain-identity-guard';
import { ChainRequestWatcher } from './chain-request-watcher';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { ModelAnchorer } from './model-anchorer';
import { PollingLoops } from '../polling/polling-loops';
import { ResultFinalizer } from './result-finalizer';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';

/**
 * Runs the pipeline's background loops in the API process: started when the application has
 * bootstrapped (migrations applied) and the chain was checked against the database's
 * (ChainIdentityGuard), stopped before it shuts down (PollingLoops).
 */
@Injectable()
export class SettlementLoops extends PollingLoops implements OnApplicationBootstrap {
  constructor(
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementOptions,
    private readonly sender: ChainTxSender,
    private readonly identity: ChainIdentityGuard,
    committer: BatchCommitter,
    watcher: ChainRequestWatcher,
    finalizer: ResultFinalizer,
    anchorer: ModelAnchorer,
  ) {
    super(new Logger(SettlementLoops.name));
    this.add('batch committer', options.committerIntervalMs, () => committer.runOnce());
    this.add('chain request watcher', options.watcherIntervalMs, () => watcher.runOnce());
    this.add('result finalizer', options.finalizerIntervalMs, () => finalizer.runOnce());
    this.add('model anchorer', options.anchorIntervalMs, () => anchorer.runOnce());
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.autoStart) return;
    await this.identity.check();
    this.start();
  }

  override async stop(): Promise<void> {
    this.sender.close();
    await super.stop();
  }
}
