import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChallengesLoops } from '../challenges/challenges-loops';
import { CHALLENGES_OPTIONS, DEFAULT_CHALLENGES_OPTIONS } from '../challenges/challenges.options';
import { ClaimedTraces } from '../challenges/claimed-traces';
import { DefenderHeartbeat } from '../challenges/defender-heartbeat';
import { DisputeDefender } from '../challenges/dispute-defender';
import { DisputeOutcomes } from '../challenges/dispute-outcomes';
import { DisputeWatcher } from '../challenges/dispute-watcher';
import { dataSourceOptions } from '../database/data-source-options';
import { InferenceEvents } from '../inference/inference-events';
import { JobSignal } from '../inference/job-signal';
import { RuntimeModule } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { AccountLease } from '../chain-tx/account-lease';
import { ChainTxSender } from '../chain-tx/chain-tx-sender';
import {
  CHAIN_TX_OPTIONS_PROVIDER,
  DEFAULT_SETTLEMENT_OPTIONS,
  SETTLEMENT_OPTIONS,
} from '../settlement/settlement.options';
import { NotifyingInferenceEvents, NotifyingJobSignal } from '../inference/cluster-signals';

/** Connections of the defender process: the loops are sequential, a few are enough. */
const DEFENDER_POOL_SIZE = 4;

/**
 * Wiring only: `verity defender`'s application context. Just what the dispute watcher and the
 * defender need (the database, the runtime's chain clients with the defender's key, the
 * deployment, a transaction sender for that key, the challenges loops and their heartbeat), and
 * nothing that takes requests: no HTTP server, GraphQL, worker API or settlement pipeline. Inference
 * changes and re-queued jobs reach the API processes over PostgreSQL NOTIFY (inference/cluster-signals.ts).
 * Keep the providers in step with what DisputeWatcher, DisputeDefender and DisputeOutcomes inject.
 */
@Module({})
export class DefenderModule {
  static forRoot(runtime: Runtime): DynamicModule {
    return {
      module: DefenderModule,
      imports: [
        RuntimeModule.forRoot(runtime),
        // The API migrates the schema; the defender only reads and writes rows.
        TypeOrmModule.forRoot({ ...dataSourceOptions(runtime.databaseUrl, DEFENDER_POOL_SIZE), migrationsRun: false }),
      ],
      providers: [
        { provide: SETTLEMENT_OPTIONS, useValue: DEFAULT_SETTLEMENT_OPTIONS },
        CHAIN_TX_OPTIONS_PROVIDER,
        { provide: CHALLENGES_OPTIONS, useValue: DEFAULT_CHALLENGES_OPTIONS },
        { provide: InferenceEvents, useClass: NotifyingInferenceEvents },
        { provide: JobSignal, useClass: NotifyingJobSignal },
        AccountLease,
        ChainTxSender,
        ClaimedTraces,
        DisputeOutcomes,
        DisputeWatcher,
        DisputeDefender,
        DefenderHeartbeat,
        ChallengesLoops,
      ],
    };
  }
}
