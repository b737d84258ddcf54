/**
 * The bulk scenario (issue 14): 1000-row bulk requests against 1000 single invites sent at 50
 * connections, in rows per second; and what sending an Idempotency-Key costs the single invite.
 * App only: the baseline has no bulk route, and the comparison is the app with itself.
 */
import type { RequestSpec } from 'autocannon';
import { Measurement, Run, runLoad, summarize } from './lib/load.js';
import type { RunningServer } from './lib/servers.js';
import { Fixtures, Scenario, SCENARIOS, Target } from './scenarios.js';

export const BULK_ROWS = 1000;

let sequence = 0;
const email = (kind: string, fx: Fixtures) => `${kind}-${fx.runTag}-${++sequence}@bench.test`;
const json = (fx: Fixtures) => ({ 'x-api-key': fx.ownerKey, 'content-type': 'application/json' });

/** A single invite (the resource route), a new email each time; with a new Idempotency-Key each time when asked. */
export function singleInvite(target: Target, fx: Fixtures, idempotencyKey = false): RequestSpec[] {
  return [
    {
      method: 'POST',
      path: `/v1/organizations/${target.writeOrg.id}/invitations`,
      setupRequest: (req) => ({
        ...req,
        headers: idempotencyKey
          ? { ...json(fx), 'idempotency-key': `bench-${fx.runTag}-${++sequence}` }
          : json(fx),
        body: JSON.stringify({ email: email('single', fx), send_invitation: true }),
      }),
    },
  ];
}

/** The single invite, with a new Idempotency-Key per request when `fx.idempotencyKey` (run side by side; `profile.js invite_keyed`). */
export const SINGLE_INVITE: Scenario = {
  id: 'invite_keyed',
  title: 'POST invitations',
  group: 'invite',
  growth: false,
  expect: [201],
  requests: (t, f) => singleInvite(t, f, f.idempotencyKey === true),
};

/** The scenarios a tool that runs one at a time (profile.js, ab.js) knows by id. */
export const SCENARIOS_BY_ONE: readonly Scenario[] = [...SCENARIOS, SINGLE_INVITE];

/** What a tool that runs one scenario at a time (profile.js, ab.js) drives it with: invite_keyed with its key. */
export const fixturesFor = (scenario: Scenario, fx: Fixtures): Fixtures =>
  scenario === SINGLE_INVITE ? { ...fx, idempotencyKey: true } : fx;

/** A bulk request of BULK_ROWS new emails. */
export function bulkInvite(target: Target, fx: Fixtures): RequestSpec[] {
  return [
    {
      method: 'POST',
      path: `/v1/organizations/${target.writeOrg.id}/invitations/bulk`,
      headers: json(fx),
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({
          invitations: Array.from({ length: BULK_ROWS }, () => ({ email: email('bulk', fx) })),
          defaults: { department_ids: [target.writeOrg.departmentId] },
          send_invitation: true,
        }),
      }),
    },
  ];
}

export interface RowsRun {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  load: Measurement;
}

/** `amount` requests at `connections`, timed from the first request to the last response. */
export async function rowsRun(
  server: RunningServer,
  requests: RequestSpec[],
  amount: number,
  connections: number,
  rowsPerRequest: number,
): Promise<RowsRun> {
  const run: Run = await runLoad({ url: server.url, requests, connections, amount });
  const seconds = run.activeSeconds;
  const load = summarize([run], [200, 201]);
  const rows = load.requests * rowsPerRequest;
  return { rows, seconds, rowsPerSecond: rows / seconds, load };
}
