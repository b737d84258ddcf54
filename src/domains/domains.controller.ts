import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { DomainIdParams, ORG_PARAM } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf, PageQueryDto } from '../common/pagination/pagination.js';
import { DomainsService } from './domains.service.js';
import { DomainCreateDto } from './dto/domain-create.dto.js';
import { DomainResponseDto } from './dto/domain-response.dto.js';

@ApiTags('Domains')
@Controller('v1/organizations/:organization_id/domains')
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Post()
  @HttpCode(201)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Claim an email domain',
    description:
      'The domain starts `pending`. Publish a DNS TXT record at `verification.name` holding `verification.value`, then call verify.',
  })
  @ApiCreatedResponse({ type: DomainResponseDto, description: 'The new, pending domain' })
  @ApiErrors(ErrorCode.DOMAIN_ALREADY_EXISTS)
  async createDomain(@CurrentOrg() org: OrgScope, @Body() body: DomainCreateDto): Promise<DomainResponseDto> {
    return DomainResponseDto.from(await this.domains.create(org.organizationId, body.domain));
  }

  @Get()
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({ summary: "List the organization's domains", description: 'Oldest first.' })
  @ApiOkResponse({ type: PageOf(DomainResponseDto), description: 'A page of domains' })
  listDomains(@CurrentOrg() org: OrgScope, @Query() query: PageQueryDto): Promise<Page<DomainResponseDto>> {
    return this.domains.list(org.organizationId, query);
  }

  @Get(':domain_id')
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({ summary: 'Get a domain' })
  @ApiOkResponse({ type: DomainResponseDto, description: 'The domain' })
  @ApiErrors(ErrorCode.DOMAIN_NOT_FOUND)
  async getDomain(@CurrentOrg() org: OrgScope, @Param() params: DomainIdParams): Promise<DomainResponseDto> {
    return DomainResponseDto.from(await this.domains.get(org.organizationId, params.domain_id));
  }

  @Delete(':domain_id')
  @HttpCode(204)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Delete a domain',
    description:
      'Its emails no longer count for `verified_domains_only` invitations or for joining by domain.',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.DOMAIN_NOT_FOUND)
  async deleteDomain(@CurrentOrg() org: OrgScope, @Param() params: DomainIdParams): Promise<void> {
    await this.domains.delete(org.organizationId, params.domain_id);
  }

  @Post(':domain_id/verify')
  @HttpCode(200)
  @Access('admin')
  @ORG_PARAM
  @ApiOperation({
    summary: 'Verify a domain by its DNS TXT record',
    description:
      'Looks up the TXT records at `verification.name` (through `DNS_SERVERS` when configured) and marks the domain `verified` when one equals `verification.value`. A verified domain is returned as it is.',
  })
  @ApiOkResponse({ type: DomainResponseDto, description: 'The verified domain' })
  @ApiErrors(ErrorCode.DOMAIN_NOT_FOUND, ErrorCode.DOMAIN_VERIFICATION_FAILED, ErrorCode.DOMAIN_TAKEN)
  async verifyDomain(
    @CurrentOrg() org: OrgScope,
    @Param() params: DomainIdParams,
  ): Promise<DomainResponseDto> {
    return DomainResponseDto.from(await this.domains.verify(org.organizationId, params.domain_id));
  }
}
