import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ChainHealthIndicator } from './chain.health-indicator';
import { HealthController } from './health.controller';
import { ServiceStatusResolver } from './service-status.resolver';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ChainHealthIndicator, ServiceStatusResolver],
})
export class HealthModule {}
