import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { ChainHealthIndicator } from './chain.health-indicator';
import { DefenderHealthIndicator } from './defender.health-indicator';

/**
 * GET /health: the database, the chain and the dispute defender (DefenderHealthIndicator), 200
 * when all three are up, 503 otherwise.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly chain: ChainHealthIndicator,
    private readonly defender: DefenderHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.chain.check(),
      () => this.defender.check(),
    ]);
  }
}
