import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { SettlementModule } from '../settlement/settlement.module';
import { ProofsResolver } from './proofs.resolver';
import { ZkCircuitsService } from './zk-circuits.service';
import { ZkProverService } from './zk-prover.service';
import { ZkVerification } from './zk-verification';

/** zk mode: circuits and trusted setup per model, proving in worker threads, on-chain settlement. */
@Module({
  imports: [SettlementModule, MetricsModule],
  providers: [ZkCircuitsService, ZkProverService, ZkVerification, ProofsResolver],
  exports: [ZkCircuitsService, ZkProverService],
})
export class ProofsModule {}
