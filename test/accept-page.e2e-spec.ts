import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildOpenApiDocument } from '../src/openapi/document.js';
import { apiKeyOn, expectHtmlPage, headingOf, inviteWithLink } from './support/accept-page.js';
import { expectError } from './support/envelope.js';
import { auth, createActiveMember, createWorld, uniqueEmail, World } from './support/fixtures.js';
import {
  currentToken,
  expireInvitation,
  GENEROUS_LIMITS,
  membershipOf,
  pastResendCooldown,
} from './support/invitations.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** The HTTP side of the hosted accept page (the browser suite drives it as a person would). */
describe('the accept page at /user/register', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({
      ACCEPT_PAGE_ENABLED: 'true',
      ...GENEROUS_LIMITS,
      RESEND_COOLDOWN_SECONDS: '0',
    });
    w = await createWorld(t);
  });
  afterAll(() => t?.close());

  const page = (token: string) => t.http().get(`/user/register?invite=${encodeURIComponent(token)}`);
  const accept = (form: Record<string, string>) =>
    t.http().post('/user/register/accept').type('form').send(form);
  const decline = (token: string) => t.http().post('/user/register/decline').type('form').send({ token });

  it('shows a pending invitation: organization, inviter, roles, expiry and the custom message, escaped', async () => {
    const { token } = await inviteWithLink(t, w.owner, w.orgId, {
      email: uniqueEmail('page'),
      full_name: 'Paula Page',
      role_ids: [w.roles.admin],
      custom_message: 'Welcome <script>alert(1)</script> & "hi"',
    });
    const html = expectHtmlPage(await page(token), 200);
    expect(headingOf(html)).toBe('Join Acme');
    expect(html).toContain(`<strong>${w.owner.email}</strong> invited`);
    expect(html).toContain('as Admin.');
    expect(html).toContain('Welcome &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;hi&quot;');
    expect(html).toMatch(
      /expires on <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\w+ \d+, \d{4} at .+ UTC<\/time>/,
    );
    // A new account: the name field (filled with the name the inviter gave), no key field.
    expect(html).toContain(
      'name="full_name" type="text" maxlength="255" autocomplete="name" value="Paula Page"',
    );
    expect(html).not.toContain('name="api_key"');
    expect(html).toContain('<form method="post" action="/user/register/accept">');
    expect(html).toContain('<form method="post" action="/user/register/decline">');
  });

  it('accepts with a form post: the new account gets its key once, with its name, and the key works against /v1/me', async () => {
    const email = uniqueEmail('newcomer');
    const { token } = await inviteWithLink(t, w.owner, w.orgId, { email, role_ids: [w.roles.member] });
    const res = await accept({ token, full_name: '  Nina Newcomer ' });
    const html = expectHtmlPage(res, 200);
    expect(headingOf(html)).toBe('Welcome to Acme');
    const key = apiKeyOn(html)!;
    expect(key).toMatch(/^oik_/);
    expect(html).toContain(`curl -H "X-API-Key: ${key}" https://app.example.test/v1/me`);

    const me = await t.http().get('/v1/me').set('X-API-Key', key);
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ email, full_name: 'Nina Newcomer' });
    expect(me.body.memberships).toEqual([
      expect.objectContaining({ organization_id: w.orgId, account_state: 'active' }),
    ]);
  });

  it('treats a blank full name as none, as the API treats a missing one', async () => {
    const { token } = await inviteWithLink(t, w.owner, w.orgId, {
      email: uniqueEmail('blank'),
      full_name: 'Given Name',
    });
    const key = apiKeyOn(expectHtmlPage(await accept({ token, full_name: '   ' }), 200))!;
    const me = await t.http().get('/v1/me').set('X-API-Key', key);
    expect(me.body.user.full_name).toBe('Given Name');
  });

  it('answers a link used twice with 409 and a sentence, to the form and to the page', async () => {
    const { token } = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('twice') });
    expectHtmlPage(await accept({ token }), 200);

    const again = expectHtmlPage(await accept({ token }), 409);
    expect(headingOf(again)).toBe('This invitation has already been accepted');
    expect(apiKeyOn(again)).toBeUndefined();
    expect(headingOf(expectHtmlPage(await page(token), 409))).toBe(
      'This invitation has already been accepted',
    );
  });

  it('declines with a form post: 200, the pending membership is gone, and the link then answers 410', async () => {
    const email = uniqueEmail('decliner');
    const { token, invitationId } = await inviteWithLink(t, w.owner, w.orgId, { email });
    const html = expectHtmlPage(await decline(token), 200);
    expect(headingOf(html)).toBe('Invitation declined');
    expect(html).toContain('You declined the invitation to join <strong>Acme</strong>');

    const invitation = await t
      .http()
      .get(`/v1/organizations/${w.orgId}/invitations/${invitationId}`)
      .set(auth(w.owner));
    expect(invitation.body.status).toBe('declined');
    expect(await membershipOf(t, w.orgId, invitation.body.user_id)).toBeUndefined();
    expect(headingOf(expectHtmlPage(await page(token), 410))).toBe('This invitation was declined');
    expect(headingOf(expectHtmlPage(await accept({ token }), 410))).toBe('This invitation was declined');
    expect(headingOf(expectHtmlPage(await decline(token), 410))).toBe('This invitation was declined');
  });

  it('answers an expired link with 410 and a sentence, and accepting it changes nothing', async () => {
    const { token, invitationId } = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('late') });
    await expireInvitation(t, invitationId);
    const html = expectHtmlPage(await page(token), 410);
    expect(headingOf(html)).toBe('This invitation has expired');
    expect(html).toContain('Ask the person who invited you to send it again.');
    expectHtmlPage(await accept({ token }), 410);
    const invitation = await t
      .http()
      .get(`/v1/organizations/${w.orgId}/invitations/${invitationId}`)
      .set(auth(w.owner));
    expect(invitation.body).toMatchObject({ status: 'expired', accepted_at: null });
  });

  it('answers a revoked link with 410, and an unknown, forged or superseded one with 404', async () => {
    const revoked = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('revoked') });
    const res = await t
      .http()
      .post(`/v1/organizations/${w.orgId}/invitations/${revoked.invitationId}/revoke`)
      .set(auth(w.owner));
    expect(res.status).toBe(200);
    expect(headingOf(expectHtmlPage(await page(revoked.token), 410))).toBe('This invitation was withdrawn');
    expect(headingOf(expectHtmlPage(await accept({ token: revoked.token }), 410))).toBe(
      'This invitation was withdrawn',
    );

    const resent = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('resent') });
    await pastResendCooldown(t, resent.invitationId);
    expect(
      (
        await t
          .http()
          .post(`/v1/organizations/${w.orgId}/invitations/${resent.invitationId}/resend`)
          .set(auth(w.owner))
      ).status,
    ).toBe(200);
    for (const token of [
      resent.token,
      'inv_nosuchthing.1.' + 'A'.repeat(43),
      'garbage',
      `${await currentToken(t, resent.invitationId)}x`,
    ]) {
      const html = expectHtmlPage(await page(token), 404);
      expect(headingOf(html)).toBe('This invitation link does not work');
      expectHtmlPage(await accept({ token }), 404);
    }
    // The newest link still works.
    expectHtmlPage(await page(await currentToken(t, resent.invitationId)), 200);
  });

  it('answers a link without its token, and a malformed form, with 400 and a sentence, never JSON', async () => {
    expect(headingOf(expectHtmlPage(await t.http().get('/user/register'), 400))).toBe(
      'This link or form is incomplete',
    );
    expectHtmlPage(await t.http().get('/user/register?invite='), 400);
    expectHtmlPage(
      await t.http().post('/user/register/accept').type('form').send({ full_name: 'No Token' }),
      400,
    );
    const { token } = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('extra') });
    const extra = expectHtmlPage(await accept({ token, role_ids: 'role_x' }), 400);
    expect(extra).toContain('property role_ids should not exist');
  });

  describe('an invitation for an existing account', () => {
    let invitee: Awaited<ReturnType<typeof createActiveMember>>;
    let token: string;

    beforeAll(async () => {
      // Active elsewhere already (in the other organization), with a key of their own.
      invitee = await createActiveMember(t, w.otherOrgId, [], uniqueEmail('existing'));
      ({ token } = await inviteWithLink(t, w.owner, w.orgId, {
        email: invitee.email,
        role_ids: [w.roles.member],
      }));
    });

    async function keyCount(): Promise<number> {
      const [{ count }] = await t.dataSource.query(
        'SELECT count(*)::int AS count FROM api_keys WHERE user_id = $1',
        [invitee.userId],
      );
      return count;
    }

    it('asks for that account API key instead of a name', async () => {
      const html = expectHtmlPage(await page(token), 200);
      expect(html).toContain('You already have an account for');
      expect(html).toContain('<label for="api_key">Your API key</label>');
      expect(html).toContain('name="api_key" type="password" required');
      expect(html).not.toContain('name="full_name"');
    });

    it('refuses without a key (403), with another account key (403) and with a key that is no key (401), on the same form', async () => {
      const before = await keyCount();
      const none = expectHtmlPage(await accept({ token }), 403);
      const other = expectHtmlPage(await accept({ token, api_key: w.member.key }), 403);
      for (const html of [none, other]) {
        expect(headingOf(html)).toBe('Join Acme');
        expect(html).toContain(
          '<div class="alert" role="alert" id="accept-error"><p>That API key does not belong to the account',
        );
        expect(html).toContain('aria-invalid="true"');
      }
      const unknown = expectHtmlPage(await accept({ token, api_key: 'oik_' + 'x'.repeat(43) }), 401);
      expect(unknown).toContain('That API key is not valid');
      expect(await membershipOf(t, w.orgId, invitee.userId)).toMatchObject({
        account_state: 'pending_invitation',
      });
      expect(await keyCount()).toBe(before);
    });

    it('joins with the account own key and issues no key', async () => {
      const before = await keyCount();
      const html = expectHtmlPage(await accept({ token, api_key: ` ${invitee.key} ` }), 200);
      expect(headingOf(html)).toBe('Welcome to Acme');
      expect(apiKeyOn(html)).toBeUndefined();
      expect(html).toContain('no new API key was issued');
      expect(await keyCount()).toBe(before);
      expect(await membershipOf(t, w.orgId, invitee.userId)).toMatchObject({
        account_state: 'active',
        role_ids: [w.roles.member],
      });
    });
  });

  it('still refuses form bodies on the API routes (415), which take JSON only', async () => {
    const res = await t.http().post('/v1/invitations/accept').type('form').send({ token: 'x' });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const org = await t
      .http()
      .post('/v1/organizations')
      .set(auth(w.owner))
      .type('form')
      .send({ name: 'Form Corp' });
    expectError(org, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('is HTML for people, not API: the OpenAPI document leaves its routes out', () => {
    const paths = Object.keys(buildOpenApiDocument(t.app).paths);
    expect(paths).toContain('/v1/invitations/accept');
    expect(paths.filter((p) => p.startsWith('/user/') || p.startsWith('/dev/'))).toEqual([]);
  });
});

describe('the accept page under the public rate limit', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ ACCEPT_PAGE_ENABLED: 'true', RATE_LIMIT_PUBLIC_PER_MIN: '3' });
    w = await createWorld(t);
  });
  afterAll(() => t?.close());

  it('shares the per-address budget of the token routes and answers 429 as a page with Retry-After', async () => {
    const { token } = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('limited') });
    expectHtmlPage(await t.http().get(`/user/register?invite=${token}`), 200);
    expect((await t.http().get(`/v1/invitations/lookup?token=${token}`)).status).toBe(200);
    expectHtmlPage(await t.http().post('/user/register/accept').type('form').send({ token: 'garbage' }), 404);

    const limited = await t.http().get(`/user/register?invite=${token}`);
    const html = expectHtmlPage(limited, 429);
    expect(headingOf(html)).toBe('Too many attempts');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(html).toContain(`Please wait ${limited.headers['retry-after']} seconds`);
  });
});

describe('where the accept page is served', () => {
  it('is off when PUBLIC_APP_URL names the SaaS own page: the route is unknown (404 envelope)', async () => {
    const t = await createTestApp({ PUBLIC_APP_URL: 'https://app.example.test' });
    try {
      expect(t.config.acceptPageEnabled).toBe(false);
      expectError(await t.http().get('/user/register?invite=x'), 404, 'NOT_FOUND');
      expectError(await t.http().post('/user/register/accept').send({ token: 'x' }), 404, 'NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  it('is on without PUBLIC_APP_URL, and links are built on HOST/PORT instead of a fixed port', async () => {
    const t = await createTestApp({ PUBLIC_APP_URL: '', PORT: '4567', HOST: '0.0.0.0' });
    try {
      const w = await createWorld(t);
      const { link, token } = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('ownbase') });
      expect(link).toBe(`http://localhost:4567/user/register?invite=${encodeURIComponent(token)}`);
      expectHtmlPage(await t.http().get(new URL(link).pathname + new URL(link).search), 200);
    } finally {
      await t.close();
    }
  });
});
