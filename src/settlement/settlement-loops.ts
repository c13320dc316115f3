import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BatchCommitter } from './batch-committer';
import { ChainIdentityGuard } from './chain-identity-guard';
import { ChainRequestWatcher } from './chain-request-watcher';
import { AccountLease } from '../chain-tx/account-lease';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { ModelAnchorer } from './model-anchorer';
import { PollingLoops } from '../polling/polling-loops';
import { ResultFinalizer } from './result-finalizer';
import { SETTLEMENT_OPTIONS, type SettlementOptions } from './settlement.options';

/**
 * Runs the pipeline's background loops in the API process: started when the application has
 * bootstrapped (migrations applied), the chain was checked against the database's
 * (ChainIdentityGuard) and this process holds the service account's lease (AccountLease: with
 * several API replicas on one database, one runs them), stopped when the lease is lost or before
 * the process shuts down, each stop awaiting the iteration in progress so nothing is cut off
 * between a send and the row that records it.
 */
@Injectable()
export class SettlementLoops extends PollingLoops implements OnApplicationBootstrap {
  constructor(
    @Inject(SETTLEMENT_OPTIONS) private readonly options: SettlementOptions,
    private readonly sender: ChainTxSender,
    private readonly identity: ChainIdentityGuard,
    private readonly accountLease: AccountLease,
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
    await this.accountLease.run({ start: () => this.start(), stop: () => this.stopLoops() });
  }

  override async stop(): Promise<void> {
    this.sender.close();
    await super.stop();
  }

  /** The loops only, when the lease is lost: the sender stays open for the next holding. */
  private async stopLoops(): Promise<void> {
    await super.stop();
  }
}
