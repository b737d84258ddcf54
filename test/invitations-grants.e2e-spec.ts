import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auth, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { GENEROUS_LIMITS, insertDepartment, tokenFromLink } from './support/invitations.js';
import { mailTo, mailWorkerFor } from './support/mailbox.js';
import { SmtpSink } from './support/smtp-sink.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * What a pending invitation grants has one source: its pending membership. Changing the pending
 * member's roles (PUT …/memberships) is seen at once by the lookup, the invitation resource, seed
 * 003, the member view and the email, and accept grants exactly that; once the invitation is
 * settled it keeps a record of what it granted.
 */
describe('what a pending invitation grants', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let w: World;
  const org = (path = '') => `/v1/organizations/${w.orgId}${path}`;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await createTestApp({ ...GENEROUS_LIMITS, ...mailWorkerFor(sink), RESEND_COOLDOWN_SECONDS: '0' });
    w = await createWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  async function invite(body: Record<string, unknown> = {}) {
    const res = await t
      .http()
      .post(org('/invitations'))
      .set(auth(w.owner))
      .send({ email: uniqueEmail('grant'), ...body });
    expect(res.status).toBe(201);
    return res.body as { invitation_id: string; user_id: string; email: string; invitation_link: string };
  }
  const putMemberships = (userId: string, roleIds: string[], departmentIds: string[] = []) =>
    t
      .http()
      .put(org(`/users/${userId}/memberships`))
      .set(auth(w.owner))
      .send({ role_ids: roleIds, department_ids: departmentIds });

  /** The grants as every reader shows them. */
  async function shown(invitation: { invitation_id: string; user_id: string; email: string }, token: string) {
    const lookup = await t.http().get('/v1/invitations/lookup').query({ token });
    const resource = await t
      .http()
      .get(org(`/invitations/${invitation.invitation_id}`))
      .set(auth(w.owner));
    const pendingInvitation = await t
      .http()
      .get(org('/invitation'))
      .query({ invitation_id: invitation.invitation_id })
      .set(auth(w.owner));
    const member = await t
      .http()
      .get(org(`/users/${invitation.user_id}`))
      .set(auth(w.owner));
    return {
      lookup: lookup.body.roles.map((r: { id: string }) => r.id),
      resource: [resource.body.role_id, resource.body.role_ids, resource.body.department_ids],
      pendingInvitation: pendingInvitation.body.role_id,
      member: [member.body.role_ids, member.body.department_ids],
    };
  }

  it('shows the roles PUT …/memberships gave a pending member everywhere, and accept grants them', async () => {
    const department = await insertDepartment(t, w.orgId, 'Finance');
    const created = await invite({ send_invitation: false });
    const token = tokenFromLink(created.invitation_link);
    expect((await putMemberships(created.user_id, [w.roles.admin], [department])).status).toBe(200);

    expect(await shown(created, token)).toEqual({
      lookup: [w.roles.admin],
      resource: [w.roles.admin, [w.roles.admin], [department]],
      pendingInvitation: w.roles.admin,
      member: [[w.roles.admin], [department]],
    });
    const lookup = await t.http().get('/v1/invitations/lookup').query({ token });
    expect(lookup.body.roles).toEqual([{ id: w.roles.admin, name: 'Admin' }]);

    const accepted = await t.http().post('/v1/invitations/accept').send({ token });
    expect(accepted.status).toBe(200);
    const me = await t.http().get('/v1/me').set('X-API-Key', accepted.body.api_key);
    expect(me.body.memberships[0]).toMatchObject({ role_ids: [w.roles.admin], department_ids: [department] });

    // The accepted invitation records what it granted, whatever the member's roles become later.
    expect((await putMemberships(created.user_id, [w.roles.member])).status).toBe(200);
    const after = await t
      .http()
      .get(org(`/invitations/${created.invitation_id}`))
      .set(auth(w.owner));
    expect(after.body).toMatchObject({
      status: 'accepted',
      role_ids: [w.roles.admin],
      department_ids: [department],
    });
  });

  it('keeps the roles a revoked invitation last granted', async () => {
    const created = await invite({ send_invitation: false });
    expect((await putMemberships(created.user_id, [w.roles.admin])).status).toBe(200);
    const revoked = await t
      .http()
      .post(org(`/invitations/${created.invitation_id}/revoke`))
      .set(auth(w.owner));
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      role_id: w.roles.admin,
      role_ids: [w.roles.admin],
    });
  });

  it('withholds the link from an Admin once the pending member is made an Owner', async () => {
    const created = await invite({ send_invitation: false });
    const asAdmin = () =>
      t
        .http()
        .get(org(`/invitations/${created.invitation_id}`))
        .set(auth(w.admin));
    expect((await asAdmin()).body.invitation_link).toBe(created.invitation_link);
    expect((await putMemberships(created.user_id, [w.roles.owner])).status).toBe(200);
    expect((await asAdmin()).body.invitation_link).toBeNull();
    const member = await t
      .http()
      .get(org(`/users/${created.user_id}`))
      .set(auth(w.admin));
    expect(member.body).toMatchObject({ role_ids: [w.roles.owner], invitation_link: null });
  });

  it('names the current roles in a resent email', async () => {
    const created = await invite({ role_ids: [w.roles.member] });
    const [first] = await mailTo(sink, created.email);
    expect(first.text).toContain('as Member.');
    expect((await putMemberships(created.user_id, [w.roles.admin])).status).toBe(200);
    expect(
      (
        await t
          .http()
          .post(org(`/invitations/${created.invitation_id}/resend`))
          .set(auth(w.owner))
      ).status,
    ).toBe(200);
    const mails = await mailTo(sink, created.email, 2);
    expect(mails[1].text).toContain('as Admin.');
  });
});
