import { describe, expect, it } from '@jest/globals';
import { buildInvitationEmail, formatExpiry, InvitationEmailFacts } from './invitation-email.js';

const facts: InvitationEmailFacts = {
  email: 'ivy@example.test',
  inviteeName: 'Ivy Invitee',
  organizationName: 'Acme',
  inviterFullName: 'Olivia Owner',
  inviterEmail: 'olivia@example.test',
  roleNames: ['Admin', 'Billing', 'Member'],
  customMessage: '  Welcome!  ',
  expiresAt: new Date('2030-01-02T15:04:05Z'),
  link: 'https://app.example.test/user/register?invite=t',
};

describe('buildInvitationEmail', () => {
  it('builds the subject, recipient and template values', () => {
    expect(buildInvitationEmail(facts)).toEqual({
      to: { name: 'Ivy Invitee', address: 'ivy@example.test' },
      subject: 'Olivia Owner invited you to join Acme',
      context: {
        subject: 'Olivia Owner invited you to join Acme',
        inviteeName: 'Ivy Invitee',
        inviterName: 'Olivia Owner',
        organizationName: 'Acme',
        roleNames: 'Admin, Billing, and Member',
        customMessage: 'Welcome!',
        link: 'https://app.example.test/user/register?invite=t',
        expiresAt: 'January 2, 2030 at 3:04 PM UTC',
      },
    });
  });

  it('names the inviter by email without a full name, and by the organization without either', () => {
    expect(buildInvitationEmail({ ...facts, inviterFullName: '  ' }).subject).toBe(
      'olivia@example.test invited you to join Acme',
    );
    expect(buildInvitationEmail({ ...facts, inviterFullName: null, inviterEmail: null }).subject).toBe(
      'The Acme team invited you to join Acme',
    );
  });

  it('leaves out roles, message and name when there are none', () => {
    const { context, to } = buildInvitationEmail({
      ...facts,
      roleNames: [],
      customMessage: ' ',
      inviteeName: null,
    });
    expect(context.roleNames).toBeNull();
    expect(context.customMessage).toBeNull();
    expect(context.inviteeName).toBeNull();
    expect(to.name).toBe('');
  });

  it('keeps control characters out of the subject and the recipient name', () => {
    const email = buildInvitationEmail({
      ...facts,
      inviterFullName: 'Eve\r\nBcc: x@evil.test',
      organizationName: 'Acme\nX-Evil: 1',
      inviteeName: 'Bob\u0000\u2028',
    });
    expect(email.subject).toBe('Eve Bcc: x@evil.test invited you to join Acme X-Evil: 1');
    expect(email.to.name).toBe('Bob');
  });

  it('keeps the custom message as typed (line breaks included): the templates decide how to escape it', () => {
    const message = '<b>Hi</b>\nline two';
    expect(buildInvitationEmail({ ...facts, customMessage: message }).context.customMessage).toBe(message);
  });
});

describe('formatExpiry', () => {
  it('writes the date in UTC, whatever the server time zone', () => {
    expect(formatExpiry(new Date('2031-12-31T23:59:00Z'))).toBe('December 31, 2031 at 11:59 PM UTC');
  });
});
