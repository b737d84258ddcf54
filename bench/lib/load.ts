import autocannon, { RequestSpec } from 'autocannon';

/** One autocannon run, with every response's latency so that several runs can be merged exactly. */
export interface Run {
  durationSeconds: number;
  /** From the start to the last response, in ms resolution: autocannon's own duration ends on its one-second tick. */
  activeSeconds: number;
  latenciesMs: number[];
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** CPU the server process used during the run (set by the caller, which knows the server). */
  serverCpuMs?: number;
}

export interface Measurement {
  requests: number;
  durationSeconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses whose status is not one the scenario expects, plus socket errors and timeouts. */
  unexpected: number;
  statusCodes: Record<string, number>;
  /** CPU time the server process spent per request, when measured. */
  serverCpuMsPerRequest?: number;
}

export interface LoadOptions {
  url: string;
  requests: RequestSpec[];
  connections: number;
  durationSeconds?: number;
  amount?: number;
}

/** One run from this process against a server in another process. */
export async function runLoad(options: LoadOptions): Promise<Run> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  let lastResponseAt = started;
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    // autocannon rejects an explicit `duration: undefined`; `amount` wins when both are set.
    ...(options.amount !== undefined
      ? { amount: options.amount }
      : { duration: options.durationSeconds ?? 10 }),
    timeout: 30,
    requests: options.requests,
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    latenciesMs.push(responseTimeMs);
    lastResponseAt = performance.now();
  });
  const result = await instance;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = Number(count);
  return {
    durationSeconds: result.duration,
    activeSeconds: (lastResponseAt - started) / 1000,
    latenciesMs,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const value = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
  return Math.round(value * 10) / 10;
}

/** Several runs of one scenario on one server as one measurement (latency percentiles over all responses). */
export function summarize(runs: Run[], expect: number[]): Measurement {
  const statusCodes: Record<string, number> = {};
  for (const run of runs)
    for (const [code, n] of Object.entries(run.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const requests = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  const durationSeconds = runs.reduce((sum, r) => sum + r.durationSeconds, 0);
  const sorted = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const unexpectedStatuses = Object.entries(statusCodes)
    .filter(([code]) => !expect.includes(Number(code)))
    .reduce((sum, [, n]) => sum + n, 0);
  const cpuRuns = runs.filter((r) => r.serverCpuMs !== undefined);
  return {
    requests,
    durationSeconds,
    rps: requests / durationSeconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    unexpected: unexpectedStatuses + runs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    statusCodes,
    serverCpuMsPerRequest:
      cpuRuns.length === runs.length && requests > 0
        ? runs.reduce((sum, r) => sum + (r.serverCpuMs ?? 0), 0) / requests
        : undefined,
  };
}
