import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../src/database/embedded-postgres.js';
import { OutboxWorker } from '../src/mail/outbox-worker.js';
import { inviteWithLink } from './support/accept-page.js';
import { ARTIFACTS, describeInBrowser, launchChromium } from './support/browser.js';
import { auth, createActiveMember, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { expireInvitation, GENEROUS_LIMITS } from './support/invitations.js';
import { parseMessage } from './support/mime.js';
import { createTestApp, TestApp } from './support/test-app.js';

/**
 * Not loopback by address: a browser treats 127.0.0.1 as a secure origin, and the forms must work
 * as they do for a person reaching the server over plain HTTP by its name. (The email's own links
 * say `localhost`, the service's own address, and are followed as they are.)
 */
const HOST = 'invitee.example.test';
/** A phone's width (CSS pixels), the narrowest common one. */
const PHONE = { width: 360, height: 740 };

describeInBrowser(
  'test/accept-page-ui.e2e-spec.ts',
  'the accept page and the mail viewer in a real browser',
  () => {
    let t: TestApp;
    let w: World;
    let port: number;
    let base: string;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    /** What the browser blocked: a CSP violation, or a script run where none may run. */
    const blocked: string[] = [];
    /** Every violation axe-core reports, of any impact, by page state (written to test/artifacts). */
    const axeReport: Record<string, string[]> = {};

    beforeAll(async () => {
      port = await freePort();
      // The embedded defaults: no PUBLIC_APP_URL (so the page is on and links use HOST/PORT), no SMTP_URL.
      t = await createTestApp({
        PUBLIC_APP_URL: '',
        HOST: '127.0.0.1',
        PORT: String(port),
        SMTP_URL: '',
        NODE_ENV: 'development',
        ...GENEROUS_LIMITS,
      });
      await t.app.listen({ port, host: '127.0.0.1' });
      base = `http://${HOST}:${port}`;
      w = await createWorld(t);
      browser = await launchChromium([HOST]);
      context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      page = watched(await context.newPage());
    }, 120_000);

    afterAll(async () => {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      fs.writeFileSync(
        path.join(ARTIFACTS, 'accept-page-axe.json'),
        `${JSON.stringify(axeReport, null, 2)}\n`,
      );
      await browser?.close();
      await t?.close();
    });

    /**
     * Collects what the browser refused on our pages. Two things are expected and left out: axe-core's
     * own attempt to run inside the mail viewer's sandboxed frame (the sandbox doing its job), and
     * "Failed to load resource" for the 4xx pages and the favicon.
     */
    function watched(tab: Page): Page {
      tab.on('console', (message) => {
        const text = message.text();
        const inMailFrame =
          /Blocked script execution in '[^']+\/dev\/mail\/[^']+\/html' because the document's frame is sandboxed/.test(
            text,
          );
        if (/Content Security Policy|Refused to|Blocked script execution/.test(text) && !inMailFrame) {
          blocked.push(`${tab.url()}: ${text}`);
        }
      });
      return tab;
    }

    /** axe-core on the page as it is now: no serious or critical violation. */
    async function expectAccessible(state: string, on: Page = page): Promise<void> {
      const results = await new AxeBuilder({ page: on }).analyze();
      axeReport[state] = results.violations.map((v) => `${v.impact}: ${v.id} (${v.nodes.length})`);
      const blocking = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect({ state, blocking }).toEqual({ state, blocking: [] });
    }

    async function open(url: string): Promise<number> {
      const response = await page.goto(url);
      return response!.status();
    }

    const heading = (on: Page = page) => on.getByRole('heading', { level: 1 }).innerText();

    /** The link of the newest `.eml` for this address, read from its text part as a person copies it. */
    function linkInMail(email: string): string {
      const dir = path.join(t.config.dataDir, 'mail');
      for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.eml'))) {
        const mail = parseMessage(fs.readFileSync(path.join(dir, name), 'utf8'));
        if (mail.to.includes(email))
          return /http:\/\/\S+\/user\/register\?invite=\S+/.exec(mail.text ?? '')![0];
      }
      throw new Error(`no mail to ${email}`);
    }

    async function inviteByEmail(email: string, extra: Record<string, unknown> = {}): Promise<string> {
      const res = await t
        .http()
        .post(`/v1/organizations/${w.orgId}/invitations`)
        .set(auth(w.owner))
        .send({ email, role_ids: [w.roles.admin], ...extra });
      expect(res.status).toBe(201);
      expect(await t.app.get(OutboxWorker).drain()).toBe(1);
      return linkInMail(email);
    }

    it('invite → the .eml link → accept with a name → the key shown works against /v1/me', async () => {
      const email = uniqueEmail('browser');
      const link = await inviteByEmail(email, {
        custom_message: 'Welcome aboard <b>Jane</b>!\nSee you Monday.',
      });
      expect(link.startsWith(`http://localhost:${port}/user/register?invite=`)).toBe(true);

      expect(await open(link)).toBe(200);
      expect(await heading()).toBe('Join Acme');
      // The custom message is text, not markup.
      await expect(page.locator('blockquote').innerText()).resolves.toBe(
        'Welcome aboard <b>Jane</b>!\nSee you Monday.',
      );
      await expectAccessible('pending invitation (new account)');

      await page.getByLabel('Your full name (optional)').fill('Jane Browser');
      await page.getByRole('button', { name: 'Accept invitation' }).click();
      await page.getByRole('heading', { level: 1, name: 'Welcome to Acme' }).waitFor();
      const key = await page.locator('#api-key').innerText();
      await expect(page.locator('#try-it').innerText()).resolves.toBe(
        `curl -H "X-API-Key: ${key}" http://localhost:${port}/v1/me`,
      );
      await expectAccessible('accepted (new account, key shown)');

      const me = await fetch(`http://127.0.0.1:${port}/v1/me`, { headers: { 'X-API-Key': key } });
      expect(me.status).toBe(200);
      const body = (await me.json()) as {
        user: { email: string; full_name: string };
        memberships: { organization_id: string }[];
      };
      expect(body.user).toMatchObject({ email, full_name: 'Jane Browser' });
      expect(body.memberships.map((m) => m.organization_id)).toEqual([w.orgId]);

      // Used twice: the link now says so, with its status.
      expect(await open(link)).toBe(409);
      expect(await heading()).toBe('This invitation has already been accepted');
      await expectAccessible('link used twice');
    });

    it('declines', async () => {
      const { link } = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('decline') });
      expect(await open(`${base}${new URL(link).pathname}${new URL(link).search}`)).toBe(200);
      await page.getByRole('button', { name: 'Decline invitation' }).click();
      await page.getByRole('heading', { level: 1, name: 'Invitation declined' }).waitFor();
      await expectAccessible('declined');
      expect(await open(`${base}${new URL(link).pathname}${new URL(link).search}`)).toBe(410);
      expect(await heading()).toBe('This invitation was declined');
    });

    it.each([
      ['an expired link', 410, 'This invitation has expired'],
      ['a revoked link', 410, 'This invitation was withdrawn'],
      ['an unknown link', 404, 'This invitation link does not work'],
    ])('answers %s with its status and a sentence', async (state, status, sentence) => {
      const { link, invitationId } = await inviteWithLink(t, w.owner, w.orgId, {
        email: uniqueEmail('dead'),
      });
      const url = new URL(`${base}${new URL(link).pathname}${new URL(link).search}`);
      if (state === 'an expired link') await expireInvitation(t, invitationId);
      if (state === 'a revoked link') {
        expect(
          (
            await t
              .http()
              .post(`/v1/organizations/${w.orgId}/invitations/${invitationId}/revoke`)
              .set(auth(w.owner))
          ).status,
        ).toBe(200);
      }
      if (state === 'an unknown link') url.searchParams.set('invite', `${url.searchParams.get('invite')}x`);
      expect(await open(url.href)).toBe(status);
      expect(await heading()).toBe(sentence);
      await expect(page.locator('main').innerText()).resolves.not.toMatch(/[{}]|INVITATION_/);
      await expectAccessible(state);
    });

    it('refuses an existing account with a wrong key, and joins with its own key without issuing one', async () => {
      const invitee = await createActiveMember(t, w.otherOrgId, [], uniqueEmail('existing'));
      const { link } = await inviteWithLink(t, w.owner, w.orgId, { email: invitee.email });
      const url = `${base}${new URL(link).pathname}${new URL(link).search}`;
      expect(await open(url)).toBe(200);
      await expect(page.getByLabel('Your full name (optional)').count()).resolves.toBe(0);
      await expectAccessible('pending invitation (existing account)');

      await page.getByLabel('Your API key').fill(w.member.key);
      const refused = page.waitForResponse((r) => r.url().endsWith('/user/register/accept'));
      await page.getByRole('button', { name: 'Accept invitation' }).click();
      expect((await refused).status()).toBe(403);
      await expect(page.getByRole('alert').innerText()).resolves.toContain(
        'That API key does not belong to the account',
      );
      await expect(page.getByLabel('Your API key').getAttribute('aria-invalid')).resolves.toBe('true');
      await expectAccessible('existing account, wrong key');

      await page.getByLabel('Your API key').fill(invitee.key);
      await page.getByRole('button', { name: 'Accept invitation' }).click();
      await page.getByRole('heading', { level: 1, name: 'Welcome to Acme' }).waitFor();
      await expect(page.locator('#api-key').count()).resolves.toBe(0);
      await expect(page.locator('main').innerText()).resolves.toContain('no new API key was issued');
      await expectAccessible('accepted (existing account, no key)');
    });

    it('lists the message in the mail viewer, shows it, and its link opens the page', async () => {
      const email = uniqueEmail('viewer');
      await inviteByEmail(email);
      expect(await open(`${base}/dev/mail`)).toBe(200);
      const row = page.locator('tbody tr').filter({ hasText: email });
      await expect(row.count()).resolves.toBe(1);
      await expectAccessible('mail viewer: list');

      await row.getByRole('link').click();
      await page
        .getByRole('heading', { level: 1, name: `${w.owner.email} invited you to join Acme` })
        .waitFor();
      // The HTML part renders in its sandboxed frame (no script there either).
      const frame = page.frameLocator('iframe[title="HTML part of the message"]');
      await frame.getByRole('link', { name: 'Accept the invitation' }).waitFor();
      await expectAccessible('mail viewer: message');

      await page
        .getByRole('list')
        .getByRole('link', { name: /\/user\/register\?invite=/ })
        .click();
      await page.getByRole('heading', { level: 1, name: 'Join Acme' }).waitFor();
      expect(page.url()).toMatch(new RegExp(`^http://localhost:${port}/user/register\\?invite=inv_`));
    });

    it('works with JavaScript off: accept and decline are plain form posts', async () => {
      const noScript = await browser.newContext({ javaScriptEnabled: false });
      try {
        const tab = watched(await noScript.newPage());
        const accepted = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('nojs') });
        await tab.goto(`${base}${new URL(accepted.link).pathname}${new URL(accepted.link).search}`);
        await tab.getByLabel('Your full name (optional)').fill('No Script');
        await tab.getByRole('button', { name: 'Accept invitation' }).click();
        await tab.getByRole('heading', { level: 1, name: 'Welcome to Acme' }).waitFor();
        await expect(tab.locator('#api-key').innerText()).resolves.toMatch(/^oik_/);

        const declined = await inviteWithLink(t, w.owner, w.orgId, { email: uniqueEmail('nojs') });
        await tab.goto(`${base}${new URL(declined.link).pathname}${new URL(declined.link).search}`);
        await tab.getByRole('button', { name: 'Decline invitation' }).click();
        await tab.getByRole('heading', { level: 1, name: 'Invitation declined' }).waitFor();
      } finally {
        await noScript.close();
      }
    });

    it('reads on a phone-width window without sideways scrolling (screenshots in test/artifacts)', async () => {
      const phone = await browser.newContext({
        viewport: PHONE,
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      try {
        const tab = watched(await phone.newPage());
        // As the README's screenshot shows it: an inviter with a name, an invitee with a plain address.
        await t.dataSource.query(`UPDATE users SET full_name = 'Ada Lovelace' WHERE id = $1`, [
          w.admin.userId,
        ]);
        const { link } = await inviteWithLink(t, w.admin, w.orgId, {
          email: 'jane@example.com',
          full_name: 'Jane Doe',
          role_ids: [w.roles.admin],
          custom_message: 'Welcome to the team! Your first review is on Monday.',
        });
        await tab.goto(`${base}${new URL(link).pathname}${new URL(link).search}`);
        await expectAccessible('pending invitation (phone width)', tab);
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await tab.screenshot({ path: path.join(ARTIFACTS, 'accept-page-phone.png'), fullPage: true });
        // (a string: the test's own TypeScript has no DOM types)
        const widths = () =>
          tab.evaluate<{ content: number; window: number }>(
            '({ content: document.documentElement.scrollWidth, window: window.innerWidth })',
          );
        const invitation = await widths();
        expect(invitation.content).toBeLessThanOrEqual(invitation.window);

        await tab.getByRole('button', { name: 'Accept invitation' }).click();
        await tab.getByRole('heading', { level: 1, name: 'Welcome to Acme' }).waitFor();
        await tab.screenshot({ path: path.join(ARTIFACTS, 'accept-page-phone-key.png'), fullPage: true });
        // The key and the curl line wrap rather than run off the screen.
        const joined = await widths();
        expect(joined.content).toBeLessThanOrEqual(joined.window);
        await expectAccessible('accepted (phone width)', tab);
      } finally {
        await phone.close();
      }
    });

    it('blocked nothing on the pages: the policy allows everything they use, and they use no script', () => {
      expect(blocked).toEqual([]);
    });
  },
);
