import { ApiProperty } from '@nestjs/swagger';

/** An organization the caller may join by their verified email's domain (`POST /v1/organizations/{id}/join`). */
export class OrganizationSuggestionDto {
  @ApiProperty({ example: 'org_xyz789' })
  organization_id: string;

  @ApiProperty({ example: 'Acme Inc.' })
  organization_name: string;

  @ApiProperty({ example: 'acme' })
  organization_slug: string;

  @ApiProperty({
    example: 'acme.com',
    description: "The organization's verified domain the caller's email is on.",
  })
  domain: string;

  @ApiProperty({ example: 'role_member01', description: 'The role joining gives.' })
  role_id: string;
}
