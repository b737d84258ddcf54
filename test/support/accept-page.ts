import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import { Actor, auth } from './fixtures.js';
import { tokenFromLink } from './invitations.js';
import { TestApp } from './test-app.js';

/** Invites by the general route with the link returned (no email), as an admin shares it by hand. */
export async function inviteWithLink(
  t: TestApp,
  inviter: Actor,
  organizationId: string,
  body: Record<string, unknown>,
): Promise<{ invitationId: string; token: string; link: string }> {
  const res = await t
    .http()
    .post(`/v1/organizations/${organizationId}/invitations`)
    .set(auth(inviter))
    .send({ send_invitation: false, ...body });
  expect(res.status).toBe(201);
  const link: string = res.body.invitation_link;
  return { invitationId: res.body.invitation_id, token: tokenFromLink(link), link };
}

/**
 * A page for people: HTML (never a JSON envelope) with this status, under a policy that runs no
 * script at all, shown to no other site, cached nowhere, setting no cookie.
 */
export function expectHtmlPage(res: Response, status: number): string {
  expect({ status: res.status, type: res.headers['content-type'] }).toEqual({
    status,
    type: 'text/html; charset=utf-8',
  });
  const policy = String(res.headers['content-security-policy']);
  expect(policy).toMatch(/(^|; )default-src 'none'(;|$)/);
  // No script-src: scripts fall back to default-src 'none'. Nothing is allowed inline but one stylesheet, by hash.
  expect(policy).not.toMatch(/script-src|unsafe-inline|unsafe-eval|upgrade-insecure-requests/);
  expect(policy).toMatch(/(^|; )style-src 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
  expect(policy).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(res.headers['x-request-id']).toBeTruthy();
  expect(res.text).toMatch(/^<!DOCTYPE html>/);
  expect(res.text).not.toMatch(/<script/i);
  return res.text;
}

/** The first `<h1>`'s text, which every page state has. */
export function headingOf(html: string): string {
  const match = /<h1>([\s\S]*?)<\/h1>/.exec(html);
  if (!match) throw new Error(`no <h1> in:\n${html.slice(0, 500)}`);
  return match[1].replace(/<[^>]+>/g, '').trim();
}

/** The API key a new account's page shows once. */
export function apiKeyOn(html: string): string | undefined {
  return /<code id="api-key">(oik_[A-Za-z0-9]+)<\/code>/.exec(html)?.[1];
}
