import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { emailDomain } from './domain-name.js';

/**
 * `invite_policy: verified_domains_only` (API.md "Domains"), as SQL: whether organization `org`
 * (a parameter) may invite an address at `domain` (a parameter). The one invitation create path
 * (InvitationCreateService) reads it inside the invitation's transaction, in the statement that
 * reads its other preconditions, so every create route and every bulk row inherits it. One indexed
 * read (uq_organization_domains_org_domain).
 */
export function invitePolicyAllowsSql(org: string, domain: string): string {
  return `(SELECT o.invite_policy = 'any' OR EXISTS (
              SELECT 1 FROM organization_domains d
               WHERE d.organization_id = o.id AND d.domain = ${domain} AND d.status = 'verified')
       FROM organizations o WHERE o.id = ${org})`;
}

/** Refuses the invitation when `invitePolicyAllowsSql` said no. */
export function assertInvitePolicyAllows(
  allowed: boolean | null,
  organizationId: string,
  email: string,
): void {
  if (allowed) return;
  throw new AppError(ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED, undefined, {
    email,
    domain: emailDomain(email),
    organization_id: organizationId,
  });
}

/** Documents the policy's refusal on a create route (declarations add up with the route's own). */
export function InvitePolicyErrors(): MethodDecorator {
  return ApiErrors(ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED);
}
