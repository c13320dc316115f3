import { Module } from '@nestjs/common';
import { ServiceMetrics } from './service-metrics';

/** The API process's Prometheus registry and instruments: one instance for every module that imports this one. */
@Module({ providers: [ServiceMetrics], exports: [ServiceMetrics] })
export class MetricsModule {}
