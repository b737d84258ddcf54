import { EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { emailDomain } from './domain-name.js';

/**
 * `invite_policy: verified_domains_only` (API.md "Domains"). Called by the one invitation create path
 * (InvitationCreateService.createWithin), inside the invitation's transaction, so every create route
 * and every bulk row inherits it. One indexed read (uq_organization_domains_org_domain).
 */
export async function assertInvitePolicyAllows(
  manager: EntityManager,
  organizationId: string,
  email: string,
): Promise<void> {
  const domain = emailDomain(email);
  const [row]: { allowed: boolean }[] = await manager.query(
    `SELECT o.invite_policy = 'any' OR EXISTS (
              SELECT 1 FROM organization_domains d
               WHERE d.organization_id = o.id AND d.domain = $2 AND d.status = 'verified') AS allowed
       FROM organizations o WHERE o.id = $1`,
    [organizationId, domain],
  );
  if (!row?.allowed) {
    throw new AppError(ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED, undefined, {
      email,
      domain,
      organization_id: organizationId,
    });
  }
}

/** Documents the policy's refusal on a create route (declarations add up with the route's own). */
export function InvitePolicyErrors(): MethodDecorator {
  return ApiErrors(ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED);
}
