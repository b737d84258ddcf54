import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as realCrypto from 'node:crypto';

/**
 * The only path from a MAC to "genuine" is crypto.timingSafeEqual: a spy stands in for it and
 * decides. Any other comparison (`===`, `Buffer.equals`, an early return) would disagree with the
 * spy on one of these cases, or skip it.
 */
const timingSafeEqual = jest.fn<typeof realCrypto.timingSafeEqual>();
jest.unstable_mockModule('node:crypto', () => ({ ...realCrypto, default: realCrypto, timingSafeEqual }));

const { parseConfig } = await import('../config/app-config.js');
const { InvitationTokens } = await import('./invitation-token.js');
const tokens = new InvitationTokens(parseConfig({ INVITATION_SECRET: 'c'.repeat(40) }));

describe('InvitationTokens compares MACs only in constant time', () => {
  beforeEach(() => {
    timingSafeEqual.mockReset();
    timingSafeEqual.mockImplementation(realCrypto.timingSafeEqual);
  });

  it('asks timingSafeEqual exactly once, with the two MACs as equal-length buffers', () => {
    const token = tokens.sign('inv_abc123', 2);
    expect(tokens.verify(token)).toEqual({ invitationId: 'inv_abc123', version: 2 });
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
    expect(a.length).toBe(b.length);
    expect([a.toString(), b.toString()]).toEqual([token.split('.')[2], token.split('.')[2]]);
  });

  it('rejects a genuine token when timingSafeEqual says the MACs differ: no other comparison accepts first', () => {
    timingSafeEqual.mockReturnValue(false);
    expect(tokens.verify(tokens.sign('inv_abc123', 2))).toBeUndefined();
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('accepts a forged MAC when timingSafeEqual says they match: no other comparison rejects first', () => {
    timingSafeEqual.mockReturnValue(true);
    const forged = `inv_abc123.2.${'A'.repeat(43)}`;
    expect(tokens.verify(forged)).toEqual({ invitationId: 'inv_abc123', version: 2 });
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('never compares a malformed token (it has no MAC of the right shape to compare)', () => {
    for (const bad of [
      '',
      'inv_abc123.2',
      `inv_abc123.2.${'A'.repeat(42)}`,
      `inv_abc123.0.${'A'.repeat(43)}`,
      7,
    ]) {
      expect(tokens.verify(bad)).toBeUndefined();
    }
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });
});
