import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectError } from '../support/envelope.js';
import { Actor, auth, createActiveMember, createWorld, uniqueEmail, World } from '../support/fixtures.js';
import { GENEROUS_LIMITS, tokenFromLink } from '../support/invitations.js';
import {
  CODE_SUBJECT,
  emailCodeOf,
  inviteTokenOf,
  latestEmailCode,
  mailTo,
  mailWorkerFor,
} from '../support/mailbox.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, TestApp } from '../support/test-app.js';

/**
 * The three account takeovers of issue 11, each as the exact request sequence that worked against
 * the service before the fix (a Member reading an Owner-granting link; another organization
 * inviting a never-active account and accepting it; pre-hijacking an address by accepting first),
 * with the mail worker delivering to a real SMTP server so the one-time code is read from the email.
 */
describe('account takeover', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await createTestApp({ ...mailWorkerFor(sink), ...GENEROUS_LIMITS });
    w = await createWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const org = (path = '') => `/v1/organizations/${w.orgId}${path}`;
  const accept = (body: Record<string, unknown>) => t.http().post('/v1/invitations/accept').send(body);

  /** An attacker: any user with a key, here an active member of some other organization. */
  async function attackerWithOrganization(name: string): Promise<{ attacker: Actor; evilId: string }> {
    const attacker = await createActiveMember(t, w.otherOrgId, [], uniqueEmail('attacker'));
    const evil = await t.http().post('/v1/organizations').set(auth(attacker)).send({ name });
    expect(evil.status).toBe(201);
    return { attacker, evilId: evil.body.id };
  }

  describe('a Member reads an Owner-granting link', () => {
    it('shows invitation_link as null to a Member on every route, and to an Admin for an Owner-granting invitation', async () => {
      const cfo = uniqueEmail('cfo');
      const created = await t
        .http()
        .post(org('/invitations'))
        .set(auth(w.owner))
        .send({ email: cfo, role_ids: [w.roles.owner], send_invitation: false });
      expect(created.status).toBe(201);
      expect(created.body.invitation_link).toEqual(expect.any(String));
      const { invitation_id: invitationId, user_id: userId } = created.body;

      /** Every route that shows this invitation's link, as `viewer` sees it. */
      const linksSeenBy = async (viewer: Actor) => {
        const list = await t.http().get(org('/invitations?status=pending&limit=100')).set(auth(viewer));
        const one = await t
          .http()
          .get(org(`/invitations/${invitationId}`))
          .set(auth(viewer));
        const pendingInvitation = await t
          .http()
          .get(org(`/invitation?email=${encodeURIComponent(cfo)}`))
          .set(auth(viewer));
        const member = await t
          .http()
          .get(org(`/users/${userId}`))
          .set(auth(viewer));
        const members = await t
          .http()
          .get(org('/users?account_state=pending_invitation&limit=100'))
          .set(auth(viewer));
        for (const res of [list, one, pendingInvitation, member, members]) expect(res.status).toBe(200);
        return [
          list.body.data.find((i: { invitation_id: string }) => i.invitation_id === invitationId)
            .invitation_link,
          one.body.invitation_link,
          pendingInvitation.body.invitation_link,
          member.body.invitation_link,
          members.body.data.find((u: { id: string }) => u.id === userId).invitation_link,
        ];
      };

      expect(await linksSeenBy(w.member)).toEqual([null, null, null, null, null]);
      expect(await linksSeenBy(w.admin)).toEqual([null, null, null, null, null]);
      const ownerSees = await linksSeenBy(w.owner);
      expect(new Set(ownerSees)).toEqual(new Set([created.body.invitation_link]));

      // An Admin may create (and so see) a Member-granting invitation; a Member still may not.
      const plain = await t
        .http()
        .post(org('/invitations'))
        .set(auth(w.admin))
        .send({ email: uniqueEmail(), send_invitation: false });
      expect(plain.status).toBe(201);
      const asAdmin = await t
        .http()
        .get(org(`/invitations/${plain.body.invitation_id}`))
        .set(auth(w.admin));
      expect(asAdmin.body.invitation_link).toBe(plain.body.invitation_link);
      const asMember = await t
        .http()
        .get(org(`/invitations/${plain.body.invitation_id}`))
        .set(auth(w.member));
      expect(asMember.body.invitation_link).toBeNull();

      // The Owner's seat is still theirs: nobody but the Owner holds the link.
      const me = await t.http().get('/v1/me').set(auth(w.owner));
      expect(
        me.body.memberships.find((m: { organization_id: string }) => m.organization_id === w.orgId).role_ids,
      ).toEqual([w.roles.owner]);
    });
  });

  describe('another organization invites a never-active account and accepts it', () => {
    it('refuses the attacker with EMAIL_VERIFICATION_REQUIRED, mails the code to the real address, and lets the victim accept', async () => {
      const victim = uniqueEmail('victim');
      const acme = await t
        .http()
        .post(org('/users/invite/v2'))
        .set(auth(w.owner))
        .send({ email: victim, role_ids: [w.roles.member] });
      expect(acme.status).toBe(201);
      const victimId = acme.body.id;

      const { attacker, evilId } = await attackerWithOrganization('Evil');
      const evil = await t
        .http()
        .post(`/v1/organizations/${evilId}/users/invite/v2`)
        .set(auth(attacker))
        .send({ email: victim.replace(/^v/, 'V'), send_invitation: false, full_name: 'Attacker Chosen' });
      expect(evil.status).toBe(201);
      expect(evil.body.id).toBe(victimId);
      // Evil's invitation did not create the account, so it cannot name it.
      expect(evil.body.full_name).toBeNull();
      const evilToken = tokenFromLink(evil.body.invitation_link);

      const refused = expectError(await accept({ token: evilToken }), 403, 'EMAIL_VERIFICATION_REQUIRED');
      expect(refused.details).toMatchObject({
        invitation_id: expect.stringMatching(/^inv_/),
        code_sent: true,
      });
      expect(await t.dataSource.query('SELECT id FROM api_keys WHERE user_id = $1', [victimId])).toEqual([]);
      // The code went to the address, which the attacker does not read; guessing fails.
      const code = await latestEmailCode(sink, victim);
      const guess = code === '000000' ? '000001' : '000000';
      const wrong = expectError(
        await accept({ token: evilToken, email_code: guess }),
        400,
        'EMAIL_CODE_INVALID',
      );
      expect(wrong.details).toEqual({ attempts_remaining: 4 });

      const acmeView = await t
        .http()
        .get(org(`/users/${victimId}`))
        .set(auth(w.owner));
      expect(acmeView.body).toMatchObject({ full_name: null, account_state: 'pending_invitation' });

      // The victim accepts Acme's invitation from their own mailbox: the invitation that created the account.
      const [acmeMail] = await mailTo(sink, victim, 1, /invited you/);
      const accepted = await accept({ token: inviteTokenOf(acmeMail), full_name: 'Vera Victim' });
      expect(accepted.status).toBe(200);
      expect(accepted.body.user).toMatchObject({
        id: victimId,
        full_name: 'Vera Victim',
        email_verified: false,
      });
      expect(accepted.body.api_key).toEqual(expect.any(String));

      const me = await t.http().get('/v1/me').set('X-API-Key', accepted.body.api_key);
      expect(me.body.user).toMatchObject({ full_name: 'Vera Victim', email_verified: false });
      const states = Object.fromEntries(
        me.body.memberships.map((m: { organization_id: string; account_state: string }) => [
          m.organization_id,
          m.account_state,
        ]),
      );
      expect(states).toEqual({ [w.orgId]: 'active', [evilId]: 'pending_invitation' });
      const members = await t
        .http()
        .get(org(`/users/${victimId}`))
        .set(auth(w.owner));
      expect(members.body.full_name).toBe('Vera Victim');

      // Until the victim proves the address, Evil's link still needs the code, even with the victim's own key.
      expectError(
        await accept({ token: evilToken }).set('X-API-Key', accepted.body.api_key),
        403,
        'EMAIL_VERIFICATION_REQUIRED',
      );
    });
  });

  describe('pre-hijacking: the attacker accepts an invitation for the address first', () => {
    it('asks the holder of the early account for the emailed code; the real owner verifies and the old key dies', async () => {
      const ceo = uniqueEmail('ceo');
      const { attacker, evilId } = await attackerWithOrganization('Evil Two');
      const early = await t
        .http()
        .post(`/v1/organizations/${evilId}/invitations`)
        .set(auth(attacker))
        .send({ email: ceo, send_invitation: false, full_name: 'Not The CEO' });
      expect(early.status).toBe(201);
      const hijacked = await accept({ token: tokenFromLink(early.body.invitation_link) });
      expect(hijacked.status).toBe(200);
      const attackerKey = hijacked.body.api_key as string;

      const acme = await t
        .http()
        .post(org('/invitations'))
        .set(auth(w.owner))
        .send({ email: ceo, role_ids: [w.roles.admin] });
      expect(acme.status).toBe(201);
      expect(acme.body.user_id).toBe(early.body.user_id);
      const [acmeMail] = await mailTo(sink, ceo, 1, /invited you/);
      const token = inviteTokenOf(acmeMail);

      // The attacker (say the link was forwarded) accepts with "the account's own key".
      const refused = expectError(
        await accept({ token }).set('X-API-Key', attackerKey),
        403,
        'EMAIL_VERIFICATION_REQUIRED',
      );
      expect(refused.details).toMatchObject({ code_sent: true });
      const states = await t.dataSource.query(
        'SELECT account_state FROM memberships WHERE organization_id = $1 AND user_id = $2',
        [w.orgId, acme.body.user_id],
      );
      expect(states).toEqual([{ account_state: 'pending_invitation' }]);

      // The real CEO opens the link: the code was sent moments ago, so no second one goes out.
      const again = expectError(await accept({ token }), 403, 'EMAIL_VERIFICATION_REQUIRED');
      expect(again.details).toMatchObject({ code_sent: false });
      const codeMails = await mailTo(sink, ceo, 1, CODE_SUBJECT);
      expect(codeMails).toHaveLength(1);

      const verified = await accept({ token, email_code: emailCodeOf(codeMails[0]), full_name: 'Cece Ceo' });
      expect(verified.status).toBe(200);
      expect(verified.body.user).toMatchObject({
        id: acme.body.user_id,
        full_name: 'Cece Ceo',
        email_verified: true,
      });
      expect(verified.body.api_key).toEqual(expect.any(String));

      expectError(await t.http().get('/v1/me').set('X-API-Key', attackerKey), 401, 'INVALID_API_KEY');
      const me = await t.http().get('/v1/me').set('X-API-Key', verified.body.api_key);
      expect(me.body.user.email_verified).toBe(true);
      expect(
        me.body.memberships.find((m: { organization_id: string }) => m.organization_id === w.orgId),
      ).toMatchObject({
        account_state: 'active',
        role_ids: [w.roles.admin],
      });
    });
  });
});
