import { ApiHideProperty, ApiParam } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { ApiId, IsPrefixedId } from './id-param.js';

/** Documents the `organization_id` path parameter, which OrgPathParams accepts as-is. */
export const ORG_PARAM = ApiParam({
  name: 'organization_id',
  type: String,
  description: 'The organization ID (`org_…`) or its slug.',
  example: 'org_xyz789',
});

/**
 * Path parameter classes: a malformed ID is a 400 naming the parameter, before any query runs.
 * `organization_id` is accepted as-is (ID or slug) and resolved by the AuthGuard.
 */
class OrgPathParams {
  @ApiHideProperty()
  @IsOptional()
  @IsString()
  organization_id?: string;
}

export class KeyIdParams {
  @ApiId('key')
  @IsPrefixedId('key')
  key_id: string;
}

export class RoleIdParams extends OrgPathParams {
  @ApiId('role')
  @IsPrefixedId('role')
  role_id: string;
}

export class DepartmentIdParams extends OrgPathParams {
  @ApiId('dept')
  @IsPrefixedId('dept')
  department_id: string;
}

export class UserIdParams extends OrgPathParams {
  @ApiId('usr')
  @IsPrefixedId('usr')
  user_id: string;
}

export class InvitationIdParams extends OrgPathParams {
  @ApiId('inv')
  @IsPrefixedId('inv')
  invitation_id: string;
}

export class DomainIdParams extends OrgPathParams {
  @ApiId('dom')
  @IsPrefixedId('dom')
  domain_id: string;
}

export class EventIdParams extends OrgPathParams {
  @ApiId('evt')
  @IsPrefixedId('evt')
  event_id: string;
}

export class WebhookEndpointIdParams extends OrgPathParams {
  @ApiId('whep')
  @IsPrefixedId('whep')
  endpoint_id: string;
}

export class WebhookDeliveryIdParams extends WebhookEndpointIdParams {
  @ApiId('whd')
  @IsPrefixedId('whd')
  delivery_id: string;
}
