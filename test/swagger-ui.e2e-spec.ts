import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Actor, createOrganizationWithOwner } from './support/fixtures.js';
import { TestOidcProvider } from './support/oidc-provider.js';
import { createTestApp, TestApp } from './support/test-app.js';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(process.cwd(), 'test/artifacts');
/** Resolved to the test server by Chromium itself (--host-resolver-rules); no DNS involved. */
const DOCS_HOST = 'api.example.test';

const missing = fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install -y chromium)`;
// On a developer machine without Chromium the suite is skipped and says why; under CI it must run.
const skip = missing !== undefined && process.env.CI !== 'true';
if (skip) process.stderr.write(`test/swagger-ui.e2e-spec.ts skipped: ${missing}\n`);
const describeBrowser = skip ? describe.skip : describe;

describeBrowser(`Swagger UI at /docs in a real browser${skip ? ` (skipped: ${missing})` : ''}`, () => {
  let t: TestApp;
  let baseUrl: string;
  let owner: Actor;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  let idp: TestOidcProvider;
  const consoleErrors: string[] = [];
  /** The "Authorize" dialog's form of one scheme, by its heading (descriptions may name other schemes). */
  const authForm = (scheme: string) =>
    page
      .locator('.auth-container')
      .filter({ has: page.locator('h4', { hasText: new RegExp(`^${scheme}\\b`) }) });

  beforeAll(async () => {
    if (missing) throw new Error(`${missing}; CI=true requires the Swagger UI browser test to run`);
    idp = await TestOidcProvider.start();
    t = await createTestApp(idp.env());
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    // A host name, not 127.0.0.1: browsers trust loopback addresses as if they were HTTPS, and the
    // page must work as it does for a person reaching the server over plain HTTP by its name.
    baseUrl = `http://${DOCS_HOST}:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    ({ owner } = await createOrganizationWithOwner(t, 'Swagger Corp'));
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'oi-chromium-'));
    // A fresh profile each run, and nothing that talks to the network on its own.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        `--host-resolver-rules=MAP ${DOCS_HOST} 127.0.0.1`,
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 1400 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (message) => {
      // Chromium notes that it ignores COOP over plain HTTP; the header is for deployments behind TLS.
      const ignoredCoop = /Cross-Origin-Opener-Policy header has been ignored/.test(message.text());
      if (message.type() === 'error' && !ignoredCoop) consoleErrors.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.stop();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('authorizes with an API key, runs "Try it out" on GET /v1/me and shows 200', async () => {
    await page.goto(`${baseUrl}/docs`);
    await page
      .locator('.swagger-ui .info .title')
      .filter({ hasText: 'Organization Invitations API' })
      .waitFor();

    // Authorize: the X-API-Key scheme (api_key), then close the dialog.
    await page.locator('button.btn.authorize:not(.modal-btn)').click();
    const apiKeyForm = authForm('api_key');
    await apiKeyForm.locator('input').fill(owner.key);
    await apiKeyForm.getByRole('button', { name: 'Apply credentials' }).click();
    await apiKeyForm.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await page.locator('.dialog-ux button.close-modal').click();
    await page.locator('button.btn.authorize.locked:not(.modal-btn)').waitFor();

    // GET /v1/me: expand, Try it out, Execute.
    const operation = page.locator('#operations-Me-getMe');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();

    const live = operation.locator('.live-responses-table .response');
    await live.first().waitFor();
    await expect(live.first().locator('.response-col_status').innerText()).resolves.toContain('200');
    await expect(live.first().locator('.response-col_description').innerText()).resolves.toContain(
      owner.email,
    );
    // The request really carried the key from "Authorize".
    await expect(operation.locator('.curl-command').innerText()).resolves.toContain(
      `X-API-Key: ${owner.key}`,
    );

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // The executed request (curl, URL) and the live 200 response, as a person sees them.
    await operation
      .locator('.curl-command')
      .evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(ARTIFACTS, 'swagger-ui-get-me.png') });
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it('offers both API-key schemes in "Authorize", and the bearer one works too', async () => {
    await page.locator('button.btn.authorize:not(.modal-btn)').click();
    const schemes = await page.locator('.auth-container h4').allInnerTexts();
    expect(schemes.join(' | ')).toMatch(/api_key.*\|.*bearer/);
    // Swap X-API-Key for the same key as a bearer token, and run GET /v1/me again.
    await authForm('api_key').getByRole('button', { name: 'Remove authorization' }).click();
    const bearerForm = authForm('bearer');
    await bearerForm.locator('input').fill(owner.key);
    await bearerForm.getByRole('button', { name: 'Apply credentials' }).click();
    await bearerForm.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await page.locator('.dialog-ux button.close-modal').click();

    const operation = page.locator('#operations-Me-getMe');
    await operation.getByRole('button', { name: 'Execute' }).click();
    await expect(operation.locator('.curl-command').innerText()).resolves.toContain(
      `Authorization: Bearer ${owner.key}`,
    );
    await expect(operation.locator('.curl-command').innerText()).resolves.not.toContain('X-API-Key');
    await expect(
      operation.locator('.live-responses-table .response .response-col_status').first().innerText(),
    ).resolves.toContain('200');
  });

  it('authorizes with an OIDC access token (the oidc scheme) and GET /v1/me answers as its user', async () => {
    const token = await idp.token({ sub: 'swagger-owner', email: owner.email, email_verified: true });
    await page.locator('button.btn.authorize:not(.modal-btn)').click();
    await authForm('bearer').getByRole('button', { name: 'Remove authorization' }).click();
    const oidcForm = authForm('oidc');
    await oidcForm.locator('input').fill(token);
    await oidcForm.getByRole('button', { name: 'Apply credentials' }).click();
    await oidcForm.getByRole('button', { name: 'Remove authorization' }).waitFor();
    await page.locator('.dialog-ux button.close-modal').click();

    const operation = page.locator('#operations-Me-getMe');
    await operation.getByRole('button', { name: 'Execute' }).click();
    await expect(operation.locator('.curl-command').innerText()).resolves.toContain(
      `Authorization: Bearer ${token}`,
    );
    const live = operation.locator('.live-responses-table .response').first();
    await expect(live.locator('.response-col_status').innerText()).resolves.toContain('200');
    await expect(live.locator('.response-col_description').innerText()).resolves.toContain(owner.email);
    expect(consoleErrors).toEqual([]);
  });
});
