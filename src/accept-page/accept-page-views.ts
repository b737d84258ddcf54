import { PageView } from '../common/html/html-surface.js';
import {
  InvitationAcceptResponseDto,
  InvitationLookupResponseDto,
} from '../invitations/dto/invitation-token.dto.js';
import { InvitationPageDetails } from '../invitations/invitation-queries.service.js';
import { formatExpiry } from '../mail/invitation-email.js';

/**
 * The values each state of the accept page renders (templates/*.hbs). All are plain text: the
 * templates escape them, so a custom message or a name can never become markup.
 */

/** Everything the page knows about a link: the public lookup, the page's extras, and the token itself. */
export interface InvitationFacts {
  token: string;
  lookup: InvitationLookupResponseDto;
  details: InvitationPageDetails;
}

const LIST_FORMAT = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });

/** The inviter as the email names them: full name, else email, else the organization. */
function inviterName(lookup: InvitationLookupResponseDto): string {
  return (
    lookup.invited_by?.full_name?.trim() ||
    lookup.invited_by?.email ||
    `Someone at ${lookup.organization.name}`
  );
}

/** The pending invitation and its two forms; `error` says why the last accept did not go through. */
export function invitationView(facts: InvitationFacts, error: string | null = null): PageView {
  const { lookup, details } = facts;
  return {
    title: `Join ${lookup.organization.name}`,
    organizationName: lookup.organization.name,
    inviterName: inviterName(lookup),
    email: lookup.email,
    roleNames: lookup.roles.length > 0 ? LIST_FORMAT.format(lookup.roles.map((role) => role.name)) : null,
    customMessage: details.customMessage?.trim() || null,
    expiresAt: formatExpiry(new Date(lookup.expires_at)),
    expiresAtIso: lookup.expires_at,
    existingAccount: details.inviteeHasAccount,
    fullName: details.inviteeName ?? '',
    token: facts.token,
    error,
  };
}

/** After accepting: a new account's key, shown this once, and how to use it; an existing account gets none. */
export function joinedView(
  lookup: InvitationLookupResponseDto,
  accepted: InvitationAcceptResponseDto,
  apiBase: string,
): PageView {
  return {
    title: `Welcome to ${lookup.organization.name}`,
    organizationName: lookup.organization.name,
    email: accepted.user.email,
    fullName: accepted.user.full_name,
    apiKey: accepted.api_key,
    apiBase,
  };
}

export function declinedView(lookup: InvitationLookupResponseDto): PageView {
  return {
    title: 'Invitation declined',
    organizationName: lookup.organization.name,
    inviterName: inviterName(lookup),
  };
}

/**
 * "Email proof" (API.md): accept answered EMAIL_VERIFICATION_REQUIRED and a code was emailed to the
 * invitee; the page asks for it and posts `{ token, email_code }` to the same accept route.
 */
export function emailCodeView(
  facts: InvitationFacts,
  fullName: string | null,
  error: string | null = null,
): PageView {
  return {
    title: `Confirm your email to join ${facts.lookup.organization.name}`,
    organizationName: facts.lookup.organization.name,
    email: facts.lookup.email,
    token: facts.token,
    fullName,
    error,
  };
}
