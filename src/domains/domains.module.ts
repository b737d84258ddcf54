import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Organization } from '../organizations/organization.entity.js';
import { UsersModule } from '../users/users.module.js';
import { DnsTxtLookup } from './dns-txt-lookup.js';
import { DomainJoinController } from './domain-join.controller.js';
import { DomainJoinService } from './domain-join.service.js';
import { DomainsController } from './domains.controller.js';
import { DomainsService } from './domains.service.js';
import { OrganizationDomain } from './organization-domain.entity.js';
import { OrganizationSuggestionsController } from './organization-suggestions.controller.js';

/**
 * An organization's verified email domains: the domain resource and its DNS check, and joining by
 * domain. The invitation policy that rests on them is one function the invitation create path calls
 * (invite-policy.ts), so this module depends on no invitation code.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OrganizationDomain, Organization]), UsersModule],
  controllers: [DomainsController, DomainJoinController, OrganizationSuggestionsController],
  providers: [DomainsService, DomainJoinService, DnsTxtLookup],
})
export class DomainsModule {}
