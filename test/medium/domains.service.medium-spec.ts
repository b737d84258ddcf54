import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ErrorCode } from '../../src/common/errors/error-code.js';
import { newId } from '../../src/common/ids/ids.js';
import { CursorCodec } from '../../src/common/pagination/cursor-codec.js';
import { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { Db } from '../../src/database/transactions.js';
import { DnsTxtLookup } from '../../src/domains/dns-txt-lookup.js';
import { DomainsService } from '../../src/domains/domains.service.js';
import { OrganizationDomain } from '../../src/domains/organization-domain.entity.js';
import { SYSTEM_ACTOR } from '../../src/events/actor.js';
import { EventLog } from '../../src/events/event-log.js';
import { createTestDatabase } from '../support/database.js';

/** The organization_domains table's owner against the real PostgreSQL (DNS verification is left to e2e). */
describe('DomainsService SQL (real PostgreSQL)', () => {
  let dataSource: DataSource;
  let domains: DomainsService;
  let orgId: string;
  let otherOrgId: string;

  beforeAll(async () => {
    dataSource = new DataSource(dataSourceOptions(await createTestDatabase()));
    await dataSource.initialize();
    const db = new Db(dataSource);
    const config = {
      dnsServers: [],
      invitationSecret: 'medium-spec-secret-medium-spec-secret',
      dataDir: '/nonexistent',
    } as unknown as AppConfig;
    domains = new DomainsService(
      db,
      new EventLog(),
      dataSource.getRepository(OrganizationDomain),
      new DnsTxtLookup(config),
      new CursorCodec(config),
    );
    orgId = newId('org');
    otherOrgId = newId('org');
    await dataSource.query(
      `INSERT INTO organizations (id, name, slug) VALUES ($1, 'Dom', $2), ($3, 'Other', $4)`,
      [orgId, `dom-${orgId.slice(4).toLowerCase()}`, otherOrgId, `dom-${otherOrgId.slice(4).toLowerCase()}`],
    );
  });
  afterAll(() => dataSource.destroy());

  const countOf = async (sql: string, params: unknown[]) =>
    Number((await dataSource.query(sql, params))[0].n);

  it('concurrent creates of one domain in one organization make one row; the others get DOMAIN_ALREADY_EXISTS', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => domains.create(orgId, 'Example.TEST', SYSTEM_ACTOR)),
    );
    const created = results.filter(
      (r) => r.status === 'fulfilled',
    ) as PromiseFulfilledResult<OrganizationDomain>[];
    expect(created).toHaveLength(1);
    expect(created[0].value).toMatchObject({
      organizationId: orgId,
      domain: 'example.test',
      status: 'pending',
    });
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code),
    ).toEqual(Array(3).fill(ErrorCode.DOMAIN_ALREADY_EXISTS));
    expect(
      await countOf(`SELECT count(*)::int AS n FROM organization_domains WHERE domain = 'example.test'`, []),
    ).toBe(1);
    expect(
      await countOf(
        `SELECT count(*)::int AS n FROM events WHERE type = 'domain.created' AND subject_id = $1`,
        [created[0].value.id],
      ),
    ).toBe(1);
    // Another organization may claim the same (unverified) domain.
    await expect(domains.create(otherOrgId, 'example.test', SYSTEM_ACTOR)).resolves.toMatchObject({
      organizationId: otherOrgId,
    });
  });

  it('get and delete never reach another organization; of two concurrent deletes one succeeds', async () => {
    const domain = await domains.create(orgId, 'delete.test', SYSTEM_ACTOR);
    await expect(domains.get(otherOrgId, domain.id)).rejects.toMatchObject({
      code: ErrorCode.DOMAIN_NOT_FOUND,
    });
    await expect(domains.delete(otherOrgId, domain.id, SYSTEM_ACTOR)).rejects.toMatchObject({
      code: ErrorCode.DOMAIN_NOT_FOUND,
    });
    expect((await domains.get(orgId, domain.id)).id).toBe(domain.id);
    const results = await Promise.allSettled([
      domains.delete(orgId, domain.id, SYSTEM_ACTOR),
      domains.delete(orgId, domain.id, SYSTEM_ACTOR),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.code).toBe(
      ErrorCode.DOMAIN_NOT_FOUND,
    );
    expect(
      await countOf(
        `SELECT count(*)::int AS n FROM events WHERE type = 'domain.deleted' AND subject_id = $1`,
        [domain.id],
      ),
    ).toBe(1);
  });

  it('an invalid domain is refused before any row is written', async () => {
    await expect(domains.create(orgId, 'not a domain', SYSTEM_ACTOR)).rejects.toMatchObject({
      code: ErrorCode.VALIDATION_ERROR,
    });
    expect(
      await countOf(`SELECT count(*)::int AS n FROM organization_domains WHERE organization_id = $1`, [
        orgId,
      ]),
    ).toBe(1);
  });
});
