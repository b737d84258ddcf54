import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId, randomBase62 } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Page, PageQueryDto, paginate } from '../common/pagination/pagination.js';
import { Db } from '../database/transactions.js';
import { Actor } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { EventType } from '../events/event-types.js';
import { DnsTxtLookup } from './dns-txt-lookup.js';
import { challengeName, normalizeDomain } from './domain-name.js';
import { DomainResponseDto } from './dto/domain-response.dto.js';
import { OrganizationDomain } from './organization-domain.entity.js';

const VALUE_PREFIX = 'inv-domain-verification=';

/**
 * An organization's email domains and their DNS TXT verification. Every query carries the
 * organization id. The database decides the two conflicts: one row per organization and domain
 * (DOMAIN_ALREADY_EXISTS), one verified row per domain across all organizations (DOMAIN_TAKEN).
 */
@Injectable()
export class DomainsService {
  constructor(
    private readonly db: Db,
    private readonly events: EventLog,
    @InjectRepository(OrganizationDomain) private readonly domains: Repository<OrganizationDomain>,
    private readonly dns: DnsTxtLookup,
    private readonly cursors: CursorCodec,
  ) {}

  async create(organizationId: string, input: string, actor: Actor): Promise<OrganizationDomain> {
    const normalized = normalizeDomain(input);
    if ('problem' in normalized)
      throw AppError.validation([{ loc: ['body', 'domain'], ...normalized.problem }]);
    const domain = this.domains.create({
      id: newId('dom'),
      organizationId,
      domain: normalized.domain,
      status: 'pending',
      verificationValue: `${VALUE_PREFIX}${randomBase62(24)}`,
      verifiedAt: null,
    });
    try {
      return await this.db.transaction(async (manager) => {
        await manager.insert(OrganizationDomain, domain);
        const created = await manager.findOneByOrFail(OrganizationDomain, { id: domain.id });
        await this.append('domain.created', created, actor);
        return created;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_organization_domains_org_domain')) {
        throw new AppError(ErrorCode.DOMAIN_ALREADY_EXISTS, undefined, { domain: normalized.domain });
      }
      throw error;
    }
  }

  list(organizationId: string, query: PageQueryDto): Promise<Page<DomainResponseDto>> {
    const qb = this.domains
      .createQueryBuilder('d')
      .where('d.organization_id = :organizationId', { organizationId });
    return paginate(qb, query, DomainResponseDto.from, this.cursors.for('domains', organizationId));
  }

  async get(organizationId: string, domainId: string): Promise<OrganizationDomain> {
    const domain = await this.domains.findOneBy({ organizationId, id: domainId });
    if (!domain) throw new AppError(ErrorCode.DOMAIN_NOT_FOUND, undefined, { domain_id: domainId });
    return domain;
  }

  async delete(organizationId: string, domainId: string, actor: Actor): Promise<void> {
    await this.db.transaction(async () => {
      // Locked and read first: the event carries the domain as it was when deleted.
      const domain = await this.db.manager().findOne(OrganizationDomain, {
        where: { organizationId, id: domainId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!domain) throw new AppError(ErrorCode.DOMAIN_NOT_FOUND, undefined, { domain_id: domainId });
      await this.db.modify('DELETE FROM organization_domains WHERE id = $1 AND organization_id = $2', [
        domainId,
        organizationId,
      ]);
      await this.append('domain.deleted', domain, actor);
    });
  }

  private async append(type: EventType, domain: OrganizationDomain, actor: Actor): Promise<void> {
    await this.events.append(this.db.manager(), {
      type,
      organizationId: domain.organizationId,
      actor,
      subjectId: domain.id,
      data: DomainResponseDto.from(domain),
    });
  }

  /**
   * Looks the TXT record up (outside any transaction: DNS can take seconds), then marks the domain
   * verified with a conditional UPDATE. If another organization verified the domain first, the
   * partial unique index refuses the UPDATE: DOMAIN_TAKEN, told only to whoever controls the DNS.
   * Verifying a verified domain again returns it as it is.
   */
  async verify(organizationId: string, domainId: string, actor: Actor): Promise<OrganizationDomain> {
    const domain = await this.get(organizationId, domainId);
    if (domain.status === 'verified') return domain;

    const name = challengeName(domain.domain);
    const lookup = await this.dns.txt(name);
    if (!('records' in lookup) || !lookup.records.includes(domain.verificationValue)) {
      const reason =
        'records' in lookup
          ? 'value_mismatch'
          : lookup.failure === 'not_found'
            ? 'record_not_found'
            : 'lookup_failed';
      throw new AppError(ErrorCode.DOMAIN_VERIFICATION_FAILED, REASON_MESSAGES[reason], {
        domain_id: domain.id,
        domain: domain.domain,
        reason,
        name,
        ...('code' in lookup ? { dns_error: lookup.code } : {}),
      });
    }

    try {
      await this.db.transaction(async (manager) => {
        const { count } = await this.db.modify(
          `UPDATE organization_domains SET status = 'verified', verified_at = now(), updated_at = now()
            WHERE id = $1 AND organization_id = $2 AND status = 'pending'`,
          [domain.id, organizationId],
        );
        // Only the request that verified it appends the event.
        if (count > 0)
          await this.append(
            'domain.verified',
            await manager.findOneByOrFail(OrganizationDomain, { id: domain.id }),
            actor,
          );
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_organization_domains_verified')) {
        throw new AppError(ErrorCode.DOMAIN_TAKEN, undefined, {
          domain_id: domain.id,
          domain: domain.domain,
        });
      }
      throw error;
    }
    return this.get(organizationId, domainId);
  }
}

const REASON_MESSAGES: Record<string, string> = {
  record_not_found: 'No TXT record was found at the verification name.',
  value_mismatch: 'The TXT records at the verification name do not hold the verification value.',
  lookup_failed: 'The DNS lookup failed or timed out; retry later.',
};
