import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request, { Response } from 'supertest';
import { auth, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { expectError } from './support/envelope.js';
import {
  expireInvitation,
  GENEROUS_LIMITS,
  pastResendCooldown,
  tokenFromLink,
} from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** Requests fired together at a listening server, so PostgreSQL sees them concurrently. */
describe('invitation races (real PostgreSQL)', () => {
  let t: TestApp;
  let w: World;
  let url: string;
  const http = () => request(url);
  const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();

  beforeAll(async () => {
    t = await createTestApp(GENEROUS_LIMITS);
    await t.app.listen(0, '127.0.0.1');
    url = await t.app.getUrl();
    w = await createWorld(t);
  });
  afterAll(() => t.close());

  it('50 concurrent invites of one email: exactly one 201, 49 × 409 INVITATION_ALREADY_PENDING, no 5xx', async () => {
    const email = uniqueEmail('race');
    // The same address in different spellings: they are one email.
    const variants = [email, email.toUpperCase(), `  ${email}  `];
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        http()
          .post(`/v1/organizations/${w.orgId}/invitations`)
          .set(auth(i % 2 ? w.admin : w.owner))
          .send({ email: variants[i % variants.length], send_invitation: true }),
      ),
    );
    expect(statuses(responses)).toEqual([201, ...Array(49).fill(409)]);
    const winner = responses.find((r) => r.status === 201)!;
    for (const loser of responses.filter((r) => r.status === 409)) {
      const error = expectError(loser, 409, 'INVITATION_ALREADY_PENDING');
      expect(error.details).toEqual({
        invitation_id: winner.body.invitation_id,
        email,
        organization_id: w.orgId,
      });
    }
    const counts = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM invitations WHERE email = $1) AS invitations,
              (SELECT count(*)::int FROM users WHERE email = $1) AS users,
              (SELECT count(*)::int FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1) AS memberships,
              (SELECT count(*)::int FROM email_outbox o JOIN invitations i ON i.id = o.invitation_id WHERE i.email = $1) AS emails`,
      [email],
    );
    expect(counts).toEqual([{ invitations: 1, users: 1, memberships: 1, emails: 1 }]);
  });

  it('concurrent invites of one email through all four create routes: one 201, the rest 409', async () => {
    const email = uniqueEmail('race4');
    const routes = [
      () =>
        http()
          .post(`/v1/organizations/${w.orgId}/invite-user`)
          .set(auth(w.admin))
          .send({ email, role_id: w.roles.member }),
      () => http().post(`/v1/organizations/${w.orgId}/users/invite/v2`).set(auth(w.admin)).send({ email }),
      () =>
        http()
          .post(`/api/v1/org/${w.orgSlug}/invitations`)
          .set(auth(w.admin))
          .send({ email, role: 'member' }),
      () => http().post(`/v1/organizations/${w.orgId}/invitations`).set(auth(w.admin)).send({ email }),
    ];
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => routes[i % routes.length]()));
    expect(statuses(responses)).toEqual([201, ...Array(19).fill(409)]);
  });

  it('concurrent re-invites of an existing account whose last invitation expired: one 201, the rest 409', async () => {
    const first = await http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.admin))
      .send({ email: w.otherOwner.email, send_invitation: false });
    expect(first.status).toBe(201);
    await expireInvitation(t, first.body.invitation_id);
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        http()
          .post(`/v1/organizations/${w.orgId}/invitations`)
          .set(auth(w.admin))
          .send({ email: w.otherOwner.email }),
      ),
    );
    expect(statuses(responses)).toEqual([201, ...Array(29).fill(409)]);
    for (const loser of responses.filter((r) => r.status === 409))
      expectError(loser, 409, 'INVITATION_ALREADY_PENDING');
    const winner = responses.find((r) => r.status === 201)!;
    expect(winner.body.user_id).toBe(w.otherOwner.userId);
    const rows = await t.dataSource.query(
      'SELECT id, status FROM invitations WHERE email = $1 ORDER BY created_at',
      [w.otherOwner.email],
    );
    expect(rows).toEqual([
      { id: first.body.invitation_id, status: 'expired' },
      { id: winner.body.invitation_id, status: 'pending' },
    ]);
  });

  it('20 concurrent accepts of one token: exactly one succeeds and one key is issued', async () => {
    const created = await http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.admin))
      .send({ email: uniqueEmail('accept-race'), send_invitation: false });
    const token = tokenFromLink(created.body.invitation_link);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => http().post('/v1/invitations/accept').send({ token })),
    );
    expect(statuses(responses)).toEqual([200, ...Array(19).fill(409)]);
    for (const loser of responses.filter((r) => r.status === 409))
      expectError(loser, 409, 'INVITATION_ALREADY_ACCEPTED');
    const keys = await t.dataSource.query('SELECT id FROM api_keys WHERE user_id = $1', [
      created.body.user_id,
    ]);
    expect(keys).toHaveLength(1);
  });

  it('accept, decline and revoke of one invitation at once: exactly one of them happens', async () => {
    for (let round = 0; round < 5; round++) {
      const created = await http()
        .post(`/v1/organizations/${w.orgId}/invitations`)
        .set(auth(w.admin))
        .send({ email: uniqueEmail('three-way'), send_invitation: false });
      const token = tokenFromLink(created.body.invitation_link);
      const responses = await Promise.all([
        http().post('/v1/invitations/accept').send({ token }),
        http().post('/v1/invitations/decline').send({ token }),
        http()
          .post(`/v1/organizations/${w.orgId}/invitations/${created.body.invitation_id}/revoke`)
          .set(auth(w.admin)),
      ]);
      expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
      expect(responses.every((r) => [200, 409, 410].includes(r.status))).toBe(true);
      const [row] = await t.dataSource.query('SELECT status FROM invitations WHERE id = $1', [
        created.body.invitation_id,
      ]);
      const winner = ['accepted', 'declined', 'revoked'][responses.findIndex((r) => r.status === 200)];
      expect(row.status).toBe(winner);
    }
  });

  it('10 concurrent resends: one rotates the link, the others get 429', async () => {
    const created = await http()
      .post(`/v1/organizations/${w.orgId}/invitations`)
      .set(auth(w.admin))
      .send({ email: uniqueEmail('resend-race') });
    await pastResendCooldown(t, created.body.invitation_id);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        http()
          .post(`/v1/organizations/${w.orgId}/invitations/${created.body.invitation_id}/resend`)
          .set(auth(w.admin)),
      ),
    );
    expect(statuses(responses)).toEqual([200, ...Array(9).fill(429)]);
    const outbox = await t.dataSource.query(
      'SELECT invitation_version, status FROM email_outbox WHERE invitation_id = $1 ORDER BY invitation_version',
      [created.body.invitation_id],
    );
    expect(outbox).toEqual([
      { invitation_version: 1, status: 'superseded' },
      { invitation_version: 2, status: 'queued' },
    ]);
  });
});
