import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Registry,
} from 'prom-client';

/** Outcomes the mail worker records for one delivery attempt of an outbox row. */
export type EmailDeliveryOutcome = 'sent' | 'superseded' | 'retrying' | 'failed';

/**
 * The application's Prometheus registry and the metrics several places write to. A feature adds its
 * own metric with one call in its constructor, e.g. a job queue's depth:
 * `metrics.gauge({ name: 'jobs_queued', help: '…', collect() { … this.set(n) } })`.
 * One registry per app (not prom-client's global one), so several apps in one process (the tests)
 * never collide on a metric name.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration = this.histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  readonly emailDeliveries = this.counter({
    name: 'email_deliveries_total',
    help: 'Outbox email delivery attempts by outcome (sent, superseded, retrying, failed)',
    labelNames: ['outcome'] as const,
  });

  readonly webhookDeliveries = this.counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed)',
    labelNames: ['outcome'] as const,
  });

  readonly jobFailures = this.counter({
    name: 'job_failures_total',
    help: 'Job runs that threw (the queue retries them), by task',
    labelNames: ['task'] as const,
  });

  readonly rateLimitRefusals = this.counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused with 429 RATE_LIMITED, by the budget that ran out (its error details.scope)',
    labelNames: ['scope'] as const,
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    return new Histogram({ ...config, registers: [this.registry] });
  }

  recordEmailDelivery(outcome: EmailDeliveryOutcome): void {
    this.emailDeliveries.inc({ outcome });
  }
}
