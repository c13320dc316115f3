import { Module } from '@nestjs/common';
import { BatchCommitter } from './batch-committer';
import { BatchConfirmer } from './batch-confirmer';
import { ChainIdentityGuard } from './chain-identity-guard';
import { ChainRequestWatcher } from './chain-request-watcher';
import { AccountLease } from '../chain-tx/account-lease';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import { MetricsModule } from '../metrics/metrics.module';
import { ModelAnchorer } from './model-anchorer';
import { ResultFinalizer } from './result-finalizer';
import { ResultMarks } from './result-marks';
import { ResultRevealer } from './result-revealer';
import { SettlementLoops } from './settlement-loops';
import { CHAIN_TX_OPTIONS_PROVIDER, DEFAULT_SETTLEMENT_OPTIONS, SETTLEMENT_OPTIONS } from './settlement.options';

/** The pipeline's parts, each one exported (the challenges and proofs modules send and read through them). */
const SETTLEMENT_PROVIDERS = [
  AccountLease,
  ChainTxSender,
  BatchCommitter,
  BatchConfirmer,
  ChainIdentityGuard,
  ChainRequestWatcher,
  ResultMarks,
  ResultRevealer,
  ResultFinalizer,
  ModelAnchorer,
  SettlementLoops,
];

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
    ...SETTLEMENT_PROVIDERS,
  ],
  exports: [SETTLEMENT_OPTIONS, ...SETTLEMENT_PROVIDERS],
})
export class SettlementModule {}
