import { ApiKey } from '../api-keys/api-key.entity.js';
import { UserIdentity } from '../common/auth/oidc/user-identity.entity.js';
import { Department } from '../departments/department.entity.js';
import { EventRecord } from '../events/event.entity.js';
import { OrganizationDomain } from '../domains/organization-domain.entity.js';
import { EmailVerificationCode } from '../email-verification/email-verification-code.entity.js';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity.js';
import { Invitation } from '../invitations/invitation.entity.js';
import { EmailOutbox } from '../outbox/email-outbox.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import { Role } from '../roles/role.entity.js';
import { MembershipDepartment } from '../users/membership-department.entity.js';
import { MembershipRole } from '../users/membership-role.entity.js';
import { Membership } from '../users/membership.entity.js';
import { User } from '../users/user.entity.js';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity.js';
import { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity.js';

export const ENTITIES = [
  Organization,
  User,
  Membership,
  MembershipRole,
  MembershipDepartment,
  Role,
  Department,
  Invitation,
  EmailOutbox,
  ApiKey,
  EventRecord,
  UserIdentity,
  OrganizationDomain,
  EmailVerificationCode,
  IdempotencyRecord,
  WebhookEndpoint,
  WebhookDelivery,
];
