import { Module } from '@nestjs/common';
import { SettlementModule } from '../settlement/settlement.module';
import { ChallengesLoops } from './challenges-loops';
import { DEFAULT_CHALLENGES_OPTIONS, CHALLENGES_OPTIONS } from './challenges.options';
import { ChallengesResolver, DisputeHistoryResolver, InferenceDisputesResolver } from './challenges.resolver';
import { ChallengesService } from './challenges.service';
import { ClaimedTraces } from './claimed-traces';
import { DefenderHeartbeat } from './defender-heartbeat';
import { DisputeDefender } from './dispute-defender';
import { DisputeHistoryService } from './dispute-history.service';
import { DisputeOutcomes } from './dispute-outcomes';
import { DisputeWatcher } from './dispute-watcher';

/**
 * The service's side of optimistic-mode disputes (docs/disputes.md, "Defending disputes"):
 * watching disputes opened on our results, defending them from the engine's trace, applying
 * their outcomes to the inference rows, and the API over them. Sends through the settlement
 * pipeline's transaction sender (SettlementModule); needs RUNTIME and InferenceModule's events
 * and job signal (both global) and TypeORM's DataSource. The loops run here only with
 * DEFENDER_MODE=in-process; otherwise a `verity defender` process runs them (src/defender), whose
 * inference changes reach this process's subscribers over NOTIFY (inference/cluster-signals.ts).
 */
@Module({
  imports: [SettlementModule],
  providers: [
    { provide: CHALLENGES_OPTIONS, useValue: DEFAULT_CHALLENGES_OPTIONS },
    ClaimedTraces,
    DisputeOutcomes,
    DisputeWatcher,
    DisputeDefender,
    DefenderHeartbeat,
    ChallengesLoops,
    ChallengesService,
    ChallengesResolver,
    InferenceDisputesResolver,
    DisputeHistoryService,
    DisputeHistoryResolver,
  ],
  exports: [
    CHALLENGES_OPTIONS,
    DisputeWatcher,
    DisputeDefender,
    DisputeOutcomes,
    ChallengesLoops,
    ChallengesService,
    DefenderHeartbeat,
  ],
})
export class ChallengesModule {}
