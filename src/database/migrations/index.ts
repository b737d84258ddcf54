import { InitialSchema1795318672910 } from './1795318672910-InitialSchema.js';
import { OrganizationSlugCheck1795400000000 } from './1795400000000-OrganizationSlugCheck.js';
import { InvitationsMembershipIndex1795460000000 } from './1795460000000-InvitationsMembershipIndex.js';
import { UserEmailProof1795490000000 } from './1795490000000-UserEmailProof.js';
import { EventLog1795490500000 } from './1795490500000-EventLog.js';
import { IdempotencyRecords1795491000000 } from './1795491000000-IdempotencyRecords.js';
import { EmailVerificationCodes1795500000000 } from './1795500000000-EmailVerificationCodes.js';
import { IdentityAndDomains1795550000000 } from './1795550000000-IdentityAndDomains.js';
import { Webhooks1795610000000 } from './1795610000000-Webhooks.js';
import { EmailJobs1795700000000 } from './1795700000000-EmailJobs.js';
import { EmailJobsOnlyForQueuedRows1795840000000 } from './1795840000000-EmailJobsOnlyForQueuedRows.js';

/**
 * Every migration, in order. `npm run migration:generate -- <Name>` writes a new file here;
 * add its class to this list (an explicit list loads the same way under Node, the CLI and Jest).
 */
export const MIGRATIONS = [
  InitialSchema1795318672910,
  OrganizationSlugCheck1795400000000,
  InvitationsMembershipIndex1795460000000,
  UserEmailProof1795490000000,
  EventLog1795490500000,
  IdempotencyRecords1795491000000,
  EmailVerificationCodes1795500000000,
  IdentityAndDomains1795550000000,
  Webhooks1795610000000,
  EmailJobs1795700000000,
  EmailJobsOnlyForQueuedRows1795840000000,
];
