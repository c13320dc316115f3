import { Global, Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { ClusterSignalsListener, NotifyingInferenceEvents, NotifyingJobSignal } from './cluster-signals';
import { InferenceEvents } from './inference-events';
import { InferenceResolver } from './inference.resolver';
import { InferenceService } from './inference.service';
import { JobSignal } from './job-signal';
import { ModelCatalog } from './model-catalog';

/**
 * Dapp-facing inference requests; exports what workers and the chain pipeline move on. Events and
 * job signals go through PostgreSQL NOTIFY, so they reach every API replica (cluster-signals.ts).
 */
@Global()
@Module({
  imports: [ModelsModule],
  providers: [
    InferenceService,
    InferenceResolver,
    { provide: InferenceEvents, useClass: NotifyingInferenceEvents },
    { provide: JobSignal, useClass: NotifyingJobSignal },
    ClusterSignalsListener,
    ModelCatalog,
  ],
  exports: [InferenceService, InferenceEvents, JobSignal, ModelCatalog],
})
export class InferenceModule {}
