import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ChallengesModule } from '../challenges/challenges.module';
import { ChainHealthIndicator } from './chain.health-indicator';
import { DefenderHealthIndicator } from './defender.health-indicator';
import { HealthController } from './health.controller';
import { ServiceStatusResolver } from './service-status.resolver';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ChallengesModule],
  controllers: [HealthController],
  providers: [ChainHealthIndicator, DefenderHealthIndicator, ServiceStatusResolver],
})
export class HealthModule {}
