import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ChallengesModule } from '../challenges/challenges.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ChainHealthIndicator } from './chain.health-indicator';
import { DefenderHealthIndicator } from './defender.health-indicator';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { ServiceGauges } from './service-gauges';
import { ServiceStatusResolver } from './service-status.resolver';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ChallengesModule, MetricsModule],
  controllers: [HealthController, MetricsController],
  providers: [ChainHealthIndicator, DefenderHealthIndicator, ServiceGauges, ServiceStatusResolver],
})
export class HealthModule {}
