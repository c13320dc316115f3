import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BatchCommitter } from './batch-committer';
import { ChainIdentityGuard } from './chain-identity-guard';
import { ChainRequestWatcher } from './chain-request-watcher';
import { AccountLease } from '../chain-tx/account-lease';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { ModelAnchorer } from './model-anchorer';
import { PollingLoop } from '../polling/polling-loop';
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
export class SettlementLoops implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(SettlementLoops.name);
  readonly loops: readonly PollingLoop[];

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
    this.loops = [
      new PollingLoop('batch committer', options.committerIntervalMs, () => committer.runOnce(), this.log),
      new PollingLoop(
        'chain request watcher',
        options.watcherIntervalMs,
        async () => void (await watcher.runOnce()),
        this.log,
      ),
      new PollingLoop('result finalizer', options.finalizerIntervalMs, () => finalizer.runOnce(), this.log),
      new PollingLoop('model anchorer', options.anchorIntervalMs, () => anchorer.runOnce(), this.log),
    ];
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.autoStart) return;
    await this.identity.check();
    await this.accountLease.run({ start: () => this.start(), stop: () => this.stopLoops() });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    for (const loop of this.loops) loop.start();
  }

  async stop(): Promise<void> {
    this.sender.close();
    await this.stopLoops();
  }

  private async stopLoops(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }
}
