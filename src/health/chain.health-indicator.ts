import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';

/** Up when the chain node answers with the configured chain id. */
@Injectable()
export class ChainHealthIndicator {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key = 'chain'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      const blockNumber = await this.runtime.chain.publicClient.getBlockNumber({ cacheTime: 0 });
      return indicator.up({ chainId: this.runtime.chain.chain.id, blockNumber: blockNumber.toString() });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message.split('\n')[0] : String(error) });
    }
  }
}
