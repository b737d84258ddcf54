import { expect } from '@jest/globals';
import { getMetricsFromIterator, PromHistogramData, PromMetrics } from 'prom2javascript';

/** A NaN sample: valid Prometheus text, and prom-client writes one for the event-loop lag before its first measurement. */
const NAN_SAMPLE = /^[^#].*\sNa[Nn]$/;

/**
 * GET /metrics from a metrics listener, checked to be Prometheus text and parsed by a real parser.
 * prom2javascript (which reads labelled histograms correctly, unlike parse-prometheus-text-format)
 * cannot read NaN values, so NaN samples are set aside before parsing; every other line must parse.
 */
export async function scrape(metricsUrl: string): Promise<PromMetrics> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const lines = (await res.text()).split('\n').filter((line) => !NAN_SAMPLE.test(line));
  return getMetricsFromIterator(lines[Symbol.iterator]());
}

function family(metrics: PromMetrics, name: string) {
  const found = metrics[name];
  if (!found) throw new Error(`metric ${name} is not exposed (have: ${Object.keys(metrics).join(', ')})`);
  return found;
}

function matches(labels: Record<string, string>, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** The value of the counter or gauge series with these labels (0 when it has no such series yet). */
export function valueOf(metrics: PromMetrics, name: string, labels: Record<string, string> = {}): number {
  const series = (family(metrics, name).data as { labels: Record<string, string>; value: number }[]).find(
    (d) => matches(d.labels, labels),
  );
  return series?.value ?? 0;
}

/** The histogram series with exactly these labels, if observed yet. */
export function histogram(
  metrics: PromMetrics,
  name: string,
  labels: Record<string, string>,
): PromHistogramData | undefined {
  const { type, data } = family(metrics, name);
  expect(type).toBe('histogram');
  return (data as PromHistogramData[]).find((d) => matches(d.labels, labels));
}

/** The values one label takes across a family's series. */
export function labelValues(metrics: PromMetrics, name: string, label: string): string[] {
  return (family(metrics, name).data as { labels: Record<string, string> }[]).map((d) => d.labels[label]);
}

/** Whether a family is declared (its TYPE line), whatever its samples. */
export function declared(metrics: PromMetrics, name: string): boolean {
  return metrics[name] !== undefined;
}
