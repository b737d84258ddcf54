import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { normalizeEmail } from '../common/email/email-address.js';
import { newId } from '../common/ids/ids.js';
import { Db } from '../database/transactions.js';
import { SYSTEM_ACTOR } from '../events/actor.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { slugify } from '../common/ids/slug.js';
import { User } from '../users/user.entity.js';

export interface BootstrapResult {
  organization_id: string;
  organization_slug: string;
  user_id: string;
  api_key: string;
}

/** Creates the first organization, its Owner (an active account, email verified) and the Owner's API key, atomically. */
@Injectable()
export class BootstrapService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly db: Db,
    private readonly organizations: OrganizationsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async isEmpty(): Promise<boolean> {
    const [row] = await this.dataSource.query('SELECT NOT EXISTS (SELECT 1 FROM organizations) AS empty');
    return row.empty === true;
  }

  bootstrap(orgName: string, ownerEmail: string, slug?: string): Promise<BootstrapResult> {
    const normalized = normalizeEmail(ownerEmail);
    if (!normalized.ok) return Promise.reject(new Error(`--owner-email: ${normalized.reason}`));
    const { email } = normalized;
    return this.db.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .insert()
        .into(User)
        .values({
          id: newId('usr'),
          email,
          fullName: null,
          userName: null,
          activatedAt: new Date(),
          emailVerifiedAt: new Date(),
        })
        .orIgnore()
        .execute();
      const user = await manager.findOneByOrFail(User, { email });
      // The operator running the CLI vouches for the Owner's address (API.md "Email proof").
      if (!user.activatedAt || !user.emailVerifiedAt) {
        await manager.update(
          User,
          { id: user.id },
          {
            activatedAt: user.activatedAt ?? new Date(),
            emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
          },
        );
      }
      const org = await this.organizations.createWithin(orgName, slug ?? slugify(orgName), user.id);
      const key = await this.apiKeys.issue(user.id, 'bootstrap', SYSTEM_ACTOR);
      return { organization_id: org.id, organization_slug: org.slug, user_id: user.id, api_key: key.key };
    });
  }
}
