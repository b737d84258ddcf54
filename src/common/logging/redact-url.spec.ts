import { describe, expect, it } from '@jest/globals';
import { redactUrl } from './redact-url.js';

const TOKEN = 'inv_4Z7kQ2mXbV9pLr3tYw8sNc.3.' + 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE';
const MAC = TOKEN.split('.')[2];
const KEY = 'oik_' + 'Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0X1c';
const everyCharEncoded = [...TOKEN].map((c) => '%' + c.charCodeAt(0).toString(16)).join('');

describe('redactUrl', () => {
  it.each([
    [`/v1/invitations/lookup?token=${TOKEN}`, '/v1/invitations/lookup?token=[redacted]'],
    [`/v1/invitations/lookup?%74oken=${TOKEN}`, '/v1/invitations/lookup?token=[redacted]'],
    [`/v1/invitations/lookup?TOKEN=${TOKEN}`, '/v1/invitations/lookup?TOKEN=[redacted]'],
    [
      `/v1/invitations/lookup?token=x&token=${TOKEN}`,
      '/v1/invitations/lookup?token=[redacted]&token=[redacted]',
    ],
    [`/v1/invitations/lookup?token[]=${TOKEN}`, '/v1/invitations/lookup?[redacted]=[redacted]'],
    [`/v1/invitations/lookup?+token+=${TOKEN}`, '/v1/invitations/lookup?[redacted]=[redacted]'],
    [`/v1/invitations/lookup?%20token=${TOKEN}`, '/v1/invitations/lookup?[redacted]=[redacted]'],
    [`/v1/invitations/lookup?a=1;token=${TOKEN}`, '/v1/invitations/lookup?a=[redacted]&token=[redacted]'],
    [`/v1/invitations/lookup?token=${TOKEN}#frag`, '/v1/invitations/lookup?token=[redacted]#[redacted]'],
    [`/v1/invitations/lookup#?token=${TOKEN}`, '/v1/invitations/lookup#[redacted]'],
    [`/v1/invitations/lookup?${TOKEN}`, '/v1/invitations/lookup?[redacted]'],
    [`/user/register?invite=${TOKEN}`, '/user/register?invite=[redacted]'],
    [`/v1/me?api_key=${KEY}`, '/v1/me?api_key=[redacted]'],
    [`/v1/me?x-api-key=${KEY}`, '/v1/me?x-api-key=[redacted]'],
    [`/v1/${KEY}`, '/v1/[redacted]'],
    [`/v1/invitations/lookup/${TOKEN}`, '/v1/invitations/lookup/[redacted]'],
    [`/v1/organizations?status=${KEY}&limit=5`, '/v1/organizations?status=[redacted]&limit=5'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
    expect(redactUrl(input)).not.toContain(MAC);
  });

  it('redacts a token percent-encoded character by character, or twice', () => {
    for (const value of [
      everyCharEncoded,
      encodeURIComponent(encodeURIComponent(TOKEN)),
      TOKEN.replace(/\./g, '%2E'),
    ]) {
      const logged = redactUrl(`/v1/organizations?email=${value}`);
      expect(logged).toBe('/v1/organizations?email=[redacted]');
    }
  });

  it('keeps the API filters and paging readable', () => {
    const url =
      '/v1/organizations/org_1/users?limit=20&account_state=active&role_id=role_1&email=jane%40example.com&cursor=eyJ0IjoiIn0.abc';
    expect(redactUrl(url)).toBe(url);
    expect(redactUrl('/v1/organizations/acme/invitations')).toBe('/v1/organizations/acme/invitations');
  });
});
