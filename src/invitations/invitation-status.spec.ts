import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../common/errors/error-code.js';
import { effectiveStatus, notPendingError } from './invitation-status.js';
import { InvitationStatus } from './invitation.entity.js';

const now = new Date('2026-01-05T10:30:00Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const invitation = (status: InvitationStatus, expiresInMs = 60_000) => ({
  id: 'inv_x',
  status,
  expiresAt: at(expiresInMs),
});

describe('effectiveStatus', () => {
  it('derives expired for a pending invitation whose expiry has passed (inclusive)', () => {
    expect(effectiveStatus(invitation('pending', 1), now)).toBe('pending');
    expect(effectiveStatus(invitation('pending', 0), now)).toBe('expired');
    expect(effectiveStatus(invitation('pending', -1), now)).toBe('expired');
  });

  it('keeps every final status as stored, whatever the expiry', () => {
    for (const status of ['accepted', 'declined', 'revoked', 'expired'] as const) {
      expect(effectiveStatus(invitation(status, -1), now)).toBe(status);
      expect(effectiveStatus(invitation(status, 60_000), now)).toBe(status);
    }
  });
});

describe('notPendingError', () => {
  it('maps each state to its documented code', () => {
    expect(
      notPendingError({ id: 'inv_x', status: 'pending', expiresAt: new Date(Date.now() + 60_000) }),
    ).toBeUndefined();
    const codes = {
      accepted: ErrorCode.INVITATION_ALREADY_ACCEPTED,
      declined: ErrorCode.INVITATION_DECLINED,
      revoked: ErrorCode.INVITATION_REVOKED,
      expired: ErrorCode.INVITATION_EXPIRED,
    } as const;
    for (const [status, code] of Object.entries(codes)) {
      const error = notPendingError({
        id: 'inv_x',
        status: status as InvitationStatus,
        expiresAt: new Date(Date.now() + 60_000),
      });
      expect({ code: error?.code, status: error?.status, details: error?.details }).toEqual({
        code,
        status: code === ErrorCode.INVITATION_ALREADY_ACCEPTED ? 409 : 410,
        details: { invitation_id: 'inv_x' },
      });
    }
    expect(
      notPendingError({ id: 'inv_x', status: 'pending', expiresAt: new Date(Date.now() - 1) })?.code,
    ).toBe(ErrorCode.INVITATION_EXPIRED);
  });
});
