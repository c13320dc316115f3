import { Module } from '@nestjs/common';
import { BatchCommitter } from './batch-committer';
import { ChainIdentityGuard } from './chain-identity-guard';
import { ChainRequestWatcher } from './chain-request-watcher';
import { AccountLease } from '../chain-tx/account-lease';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { MetricsModule } from '../metrics/metrics.module';
import { ModelAnchorer } from './model-anchorer';
import { ResultFinalizer } from './result-finalizer';
import { SettlementLoops } from './settlement-loops';
import { CHAIN_TX_OPTIONS_PROVIDER, DEFAULT_SETTLEMENT_OPTIONS, SETTLEMENT_OPTIONS } from './settlement.options';

/**
 * Everything the API process does on-chain, as background loops that resume from the database:
 * committing result batches, watching on-chain requests, revealing and finalizing results, and
 * registering models in the ModelRegistry. Needs RUNTIME and InferenceEvents (both global: RuntimeModule,
 * InferenceModule) and TypeORM's DataSource.
 */
@Module({
  imports: [MetricsModule],
  providers: [
    { provide: SETTLEMENT_OPTIONS, useValue: DEFAULT_SETTLEMENT_OPTIONS },
    CHAIN_TX_OPTIONS_PROVIDER,
    AccountLease,
    ChainTxSender,
    BatchCommitter,
    ChainIdentityGuard,
    ChainRequestWatcher,
    ResultFinalizer,
    ModelAnchorer,
    SettlementLoops,
  ],
  exports: [
    SETTLEMENT_OPTIONS,
    AccountLease,
    ChainTxSender,
    BatchCommitter,
    ChainIdentityGuard,
    ChainRequestWatcher,
    ResultFinalizer,
    ModelAnchorer,
    SettlementLoops,
  ],
})
export class SettlementModule {}
