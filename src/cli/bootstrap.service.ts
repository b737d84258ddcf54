import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { normalizeEmail } from '../common/email/email-address.js';
import { slugify } from '../common/ids/slug.js';
import { Db } from '../database/transactions.js';
import { SYSTEM_ACTOR } from '../events/actor.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { UsersRepository } from '../users/users.repository.js';

export interface BootstrapResult {
  organization_id: string;
  organization_slug: string;
  user_id: string;
  api_key: string;
}

/**
 * Creates the first organization, its Owner (an active account, email verified) and the Owner's API
 * key, atomically, through the repositories and services that own those tables.
 */
@Injectable()
export class BootstrapService {
  constructor(
    private readonly db: Db,
    private readonly users: UsersRepository,
    private readonly organizations: OrganizationsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  isEmpty(): Promise<boolean> {
    return this.organizations.noneExist();
  }

  bootstrap(orgName: string, ownerEmail: string, slug?: string): Promise<BootstrapResult> {
    const normalized = normalizeEmail(ownerEmail);
    if (!normalized.ok) return Promise.reject(new Error(`--owner-email: ${normalized.reason}`));
    const { email } = normalized;
    return this.db.transaction(async () => {
      // The operator running the CLI vouches for the Owner's address (API.md "Email proof").
      const userId = await this.users.upsertVerified(email, null);
      const org = await this.organizations.createWithin(orgName, slug ?? slugify(orgName), userId);
      const key = await this.apiKeys.issue(userId, 'bootstrap', SYSTEM_ACTOR);
      return { organization_id: org.id, organization_slug: org.slug, user_id: userId, api_key: key.key };
    });
  }
}
