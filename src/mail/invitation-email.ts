import { headerValue } from './header-value.js';

/** What the email needs to know about one invitation (one query's worth; see InvitationMailer). */
export interface InvitationEmailFacts {
  email: string;
  inviteeName: string | null;
  organizationName: string;
  inviterFullName: string | null;
  inviterEmail: string | null;
  roleNames: string[];
  customMessage: string | null;
  expiresAt: Date;
  link: string;
}

/** The values both templates render; every one is plain text (the HTML template escapes them). */
export interface InvitationEmailContext {
  subject: string;
  inviteeName: string | null;
  inviterName: string;
  organizationName: string;
  roleNames: string | null;
  customMessage: string | null;
  link: string;
  expiresAt: string;
}

export interface InvitationEmail {
  to: { name: string; address: string };
  subject: string;
  context: InvitationEmailContext;
}

const EXPIRY_FORMAT = new Intl.DateTimeFormat('en-US', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});
const LIST_FORMAT = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });

/** "June 5, 2026 at 2:00 PM UTC": unambiguous for a reader in any time zone. */
export function formatExpiry(date: Date): string {
  return `${EXPIRY_FORMAT.format(date)} UTC`;
}

/**
 * Subject, recipient and template values of an invitation email. Names that end up in headers are
 * passed through `headerValue`, so nothing a user typed can break out of a header line.
 */
export function buildInvitationEmail(facts: InvitationEmailFacts): InvitationEmail {
  const organizationName = headerValue(facts.organizationName);
  const inviterName =
    headerValue(facts.inviterFullName?.trim() || facts.inviterEmail || '') || `The ${organizationName} team`;
  const inviteeName = facts.inviteeName?.trim() ? headerValue(facts.inviteeName) : null;
  const subject = headerValue(`${inviterName} invited you to join ${organizationName}`, 250);
  const customMessage = facts.customMessage?.trim() ? facts.customMessage.trim() : null;
  return {
    to: { name: inviteeName ?? '', address: headerValue(facts.email, 254) },
    subject,
    context: {
      subject,
      inviteeName,
      inviterName,
      organizationName,
      roleNames: facts.roleNames.length > 0 ? LIST_FORMAT.format(facts.roleNames) : null,
      customMessage,
      link: facts.link,
      expiresAt: formatExpiry(facts.expiresAt),
    },
  };
}
