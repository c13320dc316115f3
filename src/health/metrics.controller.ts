import { Controller, Get, Header } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { Registry } from 'prom-client';
import { ServiceMetrics } from '../metrics/service-metrics';
import { ServiceGauges } from './service-gauges';

/**
 * GET /metrics: the API process's Prometheus metrics. Outside the GraphQL rate limit (a scraper
 * polls on its own clock); what a scrape costs is bounded by ServiceGauges, which reads the
 * database and the chain at most once per GAUGES_READ_INTERVAL_MS.
 */
@Controller('metrics')
@SkipThrottle({ 'per-minute': true })
export class MetricsController {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly gauges: ServiceGauges,
  ) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    await this.gauges.refresh();
    return this.metrics.registry.metrics();
  }
}
