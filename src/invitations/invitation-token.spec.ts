import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../config/app-config.js';
import { InvitationTokens } from './invitation-token.js';

const config = parseConfig({ INVITATION_SECRET: 'x'.repeat(40), PUBLIC_APP_URL: 'https://app.example.com/' });
const tokens = new InvitationTokens(config);

describe('InvitationTokens', () => {
  it('round-trips a signed token', () => {
    const token = tokens.sign('inv_abc123', 3);
    expect(tokens.verify(token)).toEqual({ invitationId: 'inv_abc123', version: 3 });
  });

  it('carries at least 128 bits of MAC', () => {
    const mac = tokens.sign('inv_abc123', 1).split('.')[2];
    expect(Buffer.from(mac, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it('rejects tampered ids, versions and MACs, and garbage', () => {
    const token = tokens.sign('inv_abc123', 1);
    const [id, version, mac] = token.split('.');
    expect(tokens.verify(`inv_abc124.${version}.${mac}`)).toBeUndefined();
    expect(tokens.verify(`${id}.2.${mac}`)).toBeUndefined();
    expect(
      tokens.verify(`${id}.${version}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`),
    ).toBeUndefined();
    for (const bad of ['', 'x', `${token}.`, token.toUpperCase(), 42, null, undefined, `${id}.0.${mac}`]) {
      expect(tokens.verify(bad)).toBeUndefined();
    }
  });

  it('differs per secret', () => {
    const other = new InvitationTokens(parseConfig({ INVITATION_SECRET: 'y'.repeat(40) }));
    expect(other.verify(tokens.sign('inv_abc123', 1))).toBeUndefined();
  });

  it('builds the link from PUBLIC_APP_URL in the published register-page shape', () => {
    expect(tokens.link('inv_abc123', 1)).toMatch(
      /^https:\/\/app\.example\.com\/user\/register\?invite=inv_abc123\.1\.[A-Za-z0-9_-]{43}$/,
    );
  });
});
