import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import { newId } from '../../src/common/ids/ids.js';
import { InvitationTokens } from '../../src/invitations/invitation-token.js';
import { TestApp } from './test-app.js';

/** The token inside an invitation link (`…/user/register?invite=<token>`). */
export function tokenFromLink(link: string): string {
  const token = new URL(link).searchParams.get('invite');
  if (!token) throw new Error(`no invite token in ${link}`);
  return token;
}

/** The token for an invitation's current version, as its link would carry it. */
export async function currentToken(t: TestApp, invitationId: string): Promise<string> {
  const [row]: { version: number }[] = await t.dataSource.query(
    'SELECT version FROM invitations WHERE id = $1',
    [invitationId],
  );
  return t.app.get(InvitationTokens).sign(invitationId, row.version);
}

/** Asserts seed 002's error envelope (`{code, detail, type, errors}`) with this status and type. */
export function expectOrgSlugError(
  res: Response,
  status: number,
  type: string,
): { loc: (string | number)[]; msg: string; type: string }[] {
  expect({ status: res.status, code: res.body?.code, type: res.body?.type }).toEqual({
    status,
    code: status,
    type,
  });
  expect(Object.keys(res.body).sort()).toEqual(['code', 'detail', 'errors', 'type']);
  expect(typeof res.body.detail).toBe('string');
  expect(Array.isArray(res.body.errors)).toBe(true);
  return res.body.errors;
}

export async function insertCustomRole(t: TestApp, organizationId: string, name: string): Promise<string> {
  const id = newId('role');
  await t.dataSource.query(
    'INSERT INTO roles (id, organization_id, key, name, is_system) VALUES ($1, $2, $3, $4, false)',
    [id, organizationId, name.toLowerCase().replace(/[^a-z0-9]+/g, '-'), name],
  );
  return id;
}

export async function insertDepartment(t: TestApp, organizationId: string, name: string): Promise<string> {
  const id = newId('dept');
  await t.dataSource.query('INSERT INTO departments (id, organization_id, name) VALUES ($1, $2, $3)', [
    id,
    organizationId,
    name,
  ]);
  return id;
}

/**
 * Lets time pass for one invitation: its link was issued, and expires, `interval` earlier (the
 * validity period between the two stays what it was).
 */
export async function ageInvitation(t: TestApp, invitationId: string, interval: string): Promise<void> {
  await t.dataSource.query(
    `UPDATE invitations SET issued_at = issued_at - $2::interval, expires_at = expires_at - $2::interval WHERE id = $1`,
    [invitationId, interval],
  );
}

/** Lets the invitation's expiry pass (by a minute). */
export async function expireInvitation(t: TestApp, invitationId: string): Promise<void> {
  const [{ left }]: { left: string }[] = await t.dataSource.query(
    `SELECT (expires_at - now() + interval '1 minute')::text AS left FROM invitations WHERE id = $1`,
    [invitationId],
  );
  await ageInvitation(t, invitationId, left);
}

/** Lets the resend cooldown pass (an hour, well within the invitation's validity). */
export async function pastResendCooldown(t: TestApp, invitationId: string): Promise<void> {
  await ageInvitation(t, invitationId, '1 hour');
}

export async function outboxRows(
  t: TestApp,
  invitationId: string,
): Promise<{ invitation_version: number; status: string; message_id: string }[]> {
  return t.dataSource.query(
    'SELECT invitation_version, status, message_id FROM email_outbox WHERE invitation_id = $1 ORDER BY invitation_version',
    [invitationId],
  );
}

export async function membershipOf(
  t: TestApp,
  organizationId: string,
  userId: string,
): Promise<{ account_state: string; role_ids: string[]; department_ids: string[] } | undefined> {
  const [row] = await t.dataSource.query(
    `SELECT m.account_state,
            COALESCE((SELECT array_agg(role_id ORDER BY role_id) FROM membership_roles WHERE membership_id = m.id), '{}') AS role_ids,
            COALESCE((SELECT array_agg(department_id ORDER BY department_id) FROM membership_departments WHERE membership_id = m.id), '{}') AS department_ids
       FROM memberships m WHERE m.organization_id = $1 AND m.user_id = $2`,
    [organizationId, userId],
  );
  return row;
}

/** Settings that keep rate limits out of the way of tests that fire many requests. */
export const GENEROUS_LIMITS = {
  RATE_LIMIT_PER_KEY_PER_MIN: '1000000',
  RATE_LIMIT_PUBLIC_PER_MIN: '1000000',
  RATE_LIMIT_INVITES_PER_ORG_PER_HOUR: '10000000',
  RATE_LIMIT_ORG_CREATES_PER_USER_PER_HOUR: '1000000',
  MAX_API_KEYS_PER_USER: '100000',
};

/** The Invitation resource's fields (API.md), for exact-key assertions. */
export const INVITATION_KEYS = [
  'accepted_at',
  'created_at',
  'custom_message',
  'department_ids',
  'email',
  'email_status',
  'expires_at',
  'invitation_id',
  'invitation_link',
  'invited_by',
  'organization_id',
  'revoked_at',
  'role_id',
  'role_ids',
  'status',
  'user_id',
];
