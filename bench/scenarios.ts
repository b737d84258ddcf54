import type { RequestSpec } from 'autocannon';
import { SeededOrg } from './lib/seed.js';

/** One server under test and the data that is its own (writes never land in the other's org). */
export interface Target {
  name: 'app' | 'baseline' | 'floor';
  /** Where this target's invites go. */
  writeOrg: SeededOrg & { departmentId: string };
  /** Tokens of pending invitations only this target accepts; each is handed out once. */
  acceptTokens: string[];
  acceptNext: number;
}

/** Data shared by both targets (reads only). */
export interface Fixtures {
  ownerKey: string;
  readOrgId: string;
  /** Emails of pending invitations of the read org, drawn at random per request. */
  pendingEmails: string[];
  /** A cursor 90% of the way through the read org's invitations. */
  deepCursor: string;
  runTag: string;
  /** When set, the GET scenarios authenticate with this OIDC access token instead of the API key. */
  bearerToken?: string;
  /** When set, the single-invite scenario sends a new Idempotency-Key with each request (bench/bulk.ts). */
  idempotencyKey?: boolean;
}

/** The read scenarios' credentials: the Owner's API key, or their OIDC access token (the OIDC scenario). */
const readAuth = (fx: Fixtures): Record<string, string> =>
  fx.bearerToken ? { authorization: `Bearer ${fx.bearerToken}` } : { 'x-api-key': fx.ownerKey };

export type Group = 'invite' | 'get' | 'accept';

export interface Scenario {
  id: string;
  title: string;
  /** Which throughput target applies (bench/lib/report.ts). */
  group: Group;
  /** Runs again at the 1M tier for the growth check. */
  growth: boolean;
  expect: number[];
  requests(target: Target, fx: Fixtures): RequestSpec[];
}

let sequence = 0;
const freshEmail = (kind: string, target: Target, fx: Fixtures) =>
  `${kind}-${target.name}-${fx.runTag}-${++sequence}@bench.test`;

const json = (fx: Fixtures) => ({ 'x-api-key': fx.ownerKey, 'content-type': 'application/json' });

export const SCENARIOS: Scenario[] = [
  {
    id: 'invite_v1',
    title: 'POST invite-user (seed 000)',
    group: 'invite',
    growth: false,
    expect: [201],
    requests: (target, fx) => [
      {
        method: 'POST',
        path: `/v1/organizations/${target.writeOrg.id}/invite-user`,
        headers: json(fx),
        // A new email per request: every request is a full create, never a 409.
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            email: freshEmail('v1', target, fx),
            role_id: target.writeOrg.memberRoleId,
            send_invitation: true,
          }),
        }),
      },
    ],
  },
  {
    id: 'invite_v2',
    title: 'POST users/invite/v2 (seed 001)',
    group: 'invite',
    growth: false,
    expect: [201],
    requests: (target, fx) => [
      {
        method: 'POST',
        path: `/v1/organizations/${target.writeOrg.id}/users/invite/v2`,
        headers: json(fx),
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            email: freshEmail('v2', target, fx),
            full_name: 'Bench Invitee',
            role_ids: [target.writeOrg.memberRoleId],
            department_ids: [target.writeOrg.departmentId],
            send_invitation: true,
          }),
        }),
      },
    ],
  },
  {
    id: 'get_by_email',
    title: 'GET invitation?email= (seed 003)',
    group: 'get',
    growth: true,
    expect: [200],
    requests: (_target, fx) => [
      {
        method: 'GET',
        headers: readAuth(fx),
        setupRequest: (req) => ({
          ...req,
          path: `/v1/organizations/${fx.readOrgId}/invitation?email=${encodeURIComponent(
            fx.pendingEmails[Math.floor(Math.random() * fx.pendingEmails.length)],
          )}`,
        }),
      },
    ],
  },
  {
    id: 'list_first',
    title: 'GET invitations (first page)',
    group: 'get',
    growth: true,
    expect: [200],
    requests: (_target, fx) => [
      {
        method: 'GET',
        path: `/v1/organizations/${fx.readOrgId}/invitations`,
        headers: { 'x-api-key': fx.ownerKey },
      },
    ],
  },
  {
    id: 'list_deep',
    title: 'GET invitations?cursor= (90% deep)',
    group: 'get',
    growth: true,
    expect: [200],
    requests: (_target, fx) => [
      {
        method: 'GET',
        path: `/v1/organizations/${fx.readOrgId}/invitations?cursor=${fx.deepCursor}`,
        headers: { 'x-api-key': fx.ownerKey },
      },
    ],
  },
  {
    id: 'accept',
    title: 'POST invitations/accept',
    group: 'accept',
    growth: false,
    expect: [200],
    requests: (target) => [
      {
        method: 'POST',
        path: '/v1/invitations/accept',
        headers: { 'content-type': 'application/json' },
        // One pending invitation per request; running out shows up as unexpected 404s.
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ token: target.acceptTokens[target.acceptNext++] ?? 'exhausted' }),
        }),
      },
    ],
  },
];

/**
 * The memory soak: mostly reads (they are cheap, so 100k requests fit in a few minutes), and every
 * tenth request an invite, so the write path's allocations are in the picture too.
 */
export function soakRequests(target: Target, fx: Fixtures): RequestSpec[] {
  const byId = Object.fromEntries(SCENARIOS.map((s) => [s.id, s]));
  const get = () => byId.get_by_email.requests(target, fx);
  return [
    ...get(),
    ...get(),
    ...byId.list_first.requests(target, fx),
    ...get(),
    ...get(),
    ...byId.invite_v1.requests(target, fx),
    ...get(),
    ...get(),
    ...byId.list_deep.requests(target, fx),
    ...get(),
  ];
}
