import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OutboxWorker } from '../src/mail/outbox-worker.js';
import { expectHtmlPage, headingOf } from './support/accept-page.js';
import { expectError } from './support/envelope.js';
import { auth, createWorld, uniqueEmail, World } from './support/fixtures.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** Invites with the email sent (into DATA_DIR/mail) and returns the message's id in the viewer. */
async function inviteByEmail(t: TestApp, w: World, email: string, customMessage: string): Promise<string> {
  const res = await t
    .http()
    .post(`/v1/organizations/${w.orgId}/invitations`)
    .set(auth(w.owner))
    .send({ email, role_ids: [w.roles.admin], custom_message: customMessage });
  expect(res.status).toBe(201);
  expect(await t.app.get(OutboxWorker).drain()).toBe(1);
  const dir = path.join(t.config.dataDir, 'mail');
  const file = fs.readdirSync(dir).find((name) => name.includes(res.body.invitation_id))!;
  return path.basename(file, '.eml');
}

describe('the mail viewer at /dev/mail (SMTP_URL unset, not production)', () => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await createTestApp({ SMTP_URL: '', NODE_ENV: 'development' });
    w = await createWorld(t);
  });
  afterAll(() => t?.close());

  it('says so when nothing was written yet', async () => {
    const html = expectHtmlPage(await t.http().get('/dev/mail'), 200);
    expect(headingOf(html)).toBe('Mail');
    expect(html).toContain('No messages yet.');
  });

  it('lists the messages newest first, with recipient, subject and time', async () => {
    const first = uniqueEmail('first');
    const second = uniqueEmail('second');
    const older = await inviteByEmail(t, w, first, 'one');
    // Make the order unambiguous whatever the file system's time resolution.
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(t.config.dataDir, 'mail', `${older}.eml`), past, past);
    const newer = await inviteByEmail(t, w, second, 'two');

    const html = expectHtmlPage(await t.http().get('/dev/mail'), 200);
    expect(html).toContain('2 messages');
    expect(html.indexOf(second)).toBeGreaterThan(0);
    expect(html.indexOf(second)).toBeLessThan(html.indexOf(first));
    expect(html).toContain(`<a href="/dev/mail/${newer}">${w.owner.email} invited you to join Acme</a>`);
    expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">\w+ \d+, \d{4} at .+ UTC<\/time>/);
  });

  it('shows one message: its link, the HTML part in a sandboxed frame, the text part and the headers', async () => {
    const email = uniqueEmail('shown');
    const id = await inviteByEmail(t, w, email, 'Hi <b>there</b> & welcome');
    const html = expectHtmlPage(await t.http().get(`/dev/mail/${id}`), 200);
    expect(headingOf(html)).toBe(`${w.owner.email} invited you to join Acme`);
    // (handlebars writes `=` as `&#x3D;` in attributes; a browser reads it back as `=`)
    expect(html).toMatch(
      /<li><a href="https:\/\/app\.example\.test\/user\/register\?invite&#x3D;inv_[^"]+">/,
    );
    expect(html).toContain(
      `<iframe src="/dev/mail/${id}/html" title="HTML part of the message" sandbox="allow-popups allow-popups-to-escape-sandbox"></iframe>`,
    );
    // The text part, escaped once more for the page.
    expect(html).toContain('Hi &lt;b&gt;there&lt;/b&gt; &amp; welcome');
    expect(html).toMatch(
      /<tr><td><code>Message-ID<\/code><\/td><td>&lt;inv_[A-Za-z0-9]+\.v1@app\.example\.test&gt;<\/td><\/tr>/,
    );
    expect(html).toContain(`<tr><td><code>To</code></td><td>${email}</td></tr>`);
    // The frame may be embedded by the viewer; the viewer itself by nobody.
    expect(String((await t.http().get(`/dev/mail/${id}`)).headers['content-security-policy'])).toContain(
      "frame-src 'self'",
    );
  });

  it('serves the HTML part alone under a sandbox policy: no script, an opaque origin, links in a new tab', async () => {
    const id = await inviteByEmail(t, w, uniqueEmail('frame'), 'Hi <b>there</b>');
    const res = await t.http().get(`/dev/mail/${id}/html`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const policy = String(res.headers['content-security-policy']);
    expect(policy).toMatch(/^sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; /);
    expect(policy).not.toMatch(/script-src|allow-scripts|allow-same-origin/);
    expect(policy).toContain("frame-ancestors 'self'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.text).toMatch(/^<!DOCTYPE html>\s*<html lang="en">\s*<head><base target="_blank">/);
    expect(res.text).toContain('Hi &lt;b&gt;there&lt;/b&gt;');
    expect(res.text).toContain('Accept the invitation');
  });

  it.each([
    ['an unknown message', '/dev/mail/20990101T000000Z-inv_nothing.v1'],
    ['a path outside the folder', '/dev/mail/..%2F..%2Finvitation-secret'],
    ['the HTML part of an unknown message', '/dev/mail/nothing/html'],
  ])('answers %s with a 404 page', async (_, url) => {
    const res = await t.http().get(url);
    expect(res.status).toBe(404);
    if (res.headers['content-type']?.startsWith('text/html'))
      expect(headingOf(expectHtmlPage(res, 404))).toBe('No such message');
    else expectError(res, 404, 'NOT_FOUND'); // the router's own answer for a path it cannot route
  });
});

describe('the mail viewer elsewhere', () => {
  it.each([
    ['NODE_ENV=production', { NODE_ENV: 'production', SMTP_URL: '' }],
    ['SMTP_URL set', { NODE_ENV: 'development', SMTP_URL: 'smtp://127.0.0.1:2525' }],
  ])('does not exist with %s: /dev/mail is an unknown route (404)', async (_, env) => {
    const t = await createTestApp(env);
    try {
      expect(t.config.mailViewerEnabled).toBe(false);
      expectError(await t.http().get('/dev/mail'), 404, 'NOT_FOUND');
      expectError(await t.http().get('/dev/mail/anything'), 404, 'NOT_FOUND');
    } finally {
      await t.close();
    }
  });
});
