import { Inject } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { RUNTIME } from '../runtime/runtime.module';
import type { Runtime } from '../runtime/runtime';
import { ServiceStatus } from './service-status.model';
import { VERITY_VERSION } from '../common/version';

@Resolver(() => ServiceStatus)
export class ServiceStatusResolver {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Query(() => ServiceStatus, { description: 'Version, chain and contract addresses of this deployment.' })
  serviceStatus(): ServiceStatus {
    return {
      version: VERITY_VERSION,
      chainId: this.runtime.chain.chain.id,
      contracts: { modelRegistry: this.runtime.deployment.contracts.ModelRegistry },
      embeddedDatabase: this.runtime.embedded.database,
      embeddedChain: this.runtime.embedded.chain,
    };
  }
}
