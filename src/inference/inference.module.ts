import { Global, Module } from '@nestjs/common';
import { InferenceEvents } from './inference-events';
import { InferenceResolver } from './inference.resolver';
import { InferenceService } from './inference.service';
import { JobSignal } from './job-signal';
import { ModelCatalog } from './model-catalog';

/** Dapp-facing inference requests; exports what workers and the chain pipeline move on. */
@Global()
@Module({
  providers: [InferenceService, InferenceResolver, InferenceEvents, JobSignal, ModelCatalog],
  exports: [InferenceService, InferenceEvents, JobSignal, ModelCatalog],
})
export class InferenceModule {}
