import { ApiProperty } from '@nestjs/swagger';
import { iso, isoOrNull } from '../../common/http/timestamps.js';
import { challengeName } from '../domain-name.js';
import { DOMAIN_STATUSES, DomainStatus, OrganizationDomain } from '../organization-domain.entity.js';

export class DomainVerificationDto {
  @ApiProperty({ enum: ['dns_txt'], example: 'dns_txt' })
  type: 'dns_txt';

  @ApiProperty({
    example: '_invitations-challenge.acme.com',
    description: 'Where to publish the TXT record.',
  })
  name: string;

  @ApiProperty({
    example: 'inv-domain-verification=4Z7kQ2…',
    description: 'What the TXT record must hold, exactly.',
  })
  value: string;
}

/** API.md "Domains": `{ id, domain, status, verification: { type, name, value }, verified_at, created_at }`. */
export class DomainResponseDto {
  @ApiProperty({ example: 'dom_4Z7kQ2mN8pR1sT5v' })
  id: string;

  @ApiProperty({ example: 'org_xyz789' })
  organization_id: string;

  @ApiProperty({ example: 'acme.com' })
  domain: string;

  @ApiProperty({ enum: DOMAIN_STATUSES, example: 'pending' })
  status: DomainStatus;

  @ApiProperty({ type: DomainVerificationDto })
  verification: DomainVerificationDto;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  verified_at: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-01-05T10:30:00Z' })
  created_at: string;

  static from(domain: OrganizationDomain): DomainResponseDto {
    return {
      id: domain.id,
      organization_id: domain.organizationId,
      domain: domain.domain,
      status: domain.status,
      verification: { type: 'dns_txt', name: challengeName(domain.domain), value: domain.verificationValue },
      verified_at: isoOrNull(domain.verifiedAt),
      created_at: iso(domain.createdAt),
    };
  }
}
