import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from '../common/auth/access.decorator.js';
import { Caller, CurrentCaller, CurrentOrg, OrgScope } from '../common/auth/request-context.js';
import { WebhookDeliveryIdParams, WebhookEndpointIdParams, ORG_PARAM } from '../common/ids/id-params.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { ApiErrors } from '../common/openapi/api-errors.decorator.js';
import { Page, PageOf, PageQueryDto } from '../common/pagination/pagination.js';
import { userActor } from '../events/actor.js';
import { WebhookDeliveryQueryDto, WebhookDeliveryResponseDto } from './dto/webhook-delivery-response.dto.js';
import { WebhookEndpointCreateDto } from './dto/webhook-endpoint-create.dto.js';
import {
  WebhookEndpointCreatedDto,
  WebhookEndpointResponseDto,
  WebhookSecretDto,
} from './dto/webhook-endpoint-response.dto.js';
import { WebhookEndpointUpdateDto } from './dto/webhook-endpoint-update.dto.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

@ApiTags('Webhooks')
@Controller('v1/organizations/:organization_id/webhook-endpoints')
@ORG_PARAM
export class WebhookEndpointsController {
  constructor(
    private readonly endpoints: WebhookEndpointsService,
    private readonly deliveries: WebhookDeliveriesService,
  ) {}

  @Post()
  @HttpCode(201)
  @Access('admin')
  @ApiOperation({
    summary: 'Create a webhook endpoint',
    description: 'The signing secret is in this response only.',
  })
  @ApiCreatedResponse({ type: WebhookEndpointCreatedDto, description: 'The new endpoint, with its secret' })
  async createWebhookEndpoint(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Body() body: WebhookEndpointCreateDto,
  ): Promise<WebhookEndpointCreatedDto> {
    const { endpoint, secret } = await this.endpoints.create(org.organizationId, userActor(caller), body);
    return { ...WebhookEndpointResponseDto.from(endpoint), secret };
  }

  @Get()
  @Access('admin')
  @ApiOperation({ summary: "List the organization's webhook endpoints", description: 'Oldest first.' })
  @ApiOkResponse({ type: PageOf(WebhookEndpointResponseDto), description: 'A page of endpoints' })
  listWebhookEndpoints(
    @CurrentOrg() org: OrgScope,
    @Query() query: PageQueryDto,
  ): Promise<Page<WebhookEndpointResponseDto>> {
    return this.endpoints.list(org.organizationId, query);
  }

  @Get(':endpoint_id')
  @Access('admin')
  @ApiOperation({ summary: 'Get a webhook endpoint' })
  @ApiOkResponse({ type: WebhookEndpointResponseDto, description: 'The endpoint (never its secret)' })
  @ApiErrors(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND)
  async getWebhookEndpoint(
    @CurrentOrg() org: OrgScope,
    @Param() params: WebhookEndpointIdParams,
  ): Promise<WebhookEndpointResponseDto> {
    return WebhookEndpointResponseDto.from(await this.endpoints.get(org.organizationId, params.endpoint_id));
  }

  @Patch(':endpoint_id')
  @Access('admin')
  @ApiOperation({
    summary: 'Update a webhook endpoint',
    description: 'Only the fields sent change; enabling it again clears its failure run.',
  })
  @ApiOkResponse({ type: WebhookEndpointResponseDto, description: 'The updated endpoint' })
  @ApiErrors(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND)
  async updateWebhookEndpoint(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: WebhookEndpointIdParams,
    @Body() body: WebhookEndpointUpdateDto,
  ): Promise<WebhookEndpointResponseDto> {
    return WebhookEndpointResponseDto.from(
      await this.endpoints.update(org.organizationId, userActor(caller), params.endpoint_id, body),
    );
  }

  @Delete(':endpoint_id')
  @HttpCode(204)
  @Access('admin')
  @ApiOperation({ summary: 'Delete a webhook endpoint', description: 'Its pending deliveries are dropped.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND)
  async deleteWebhookEndpoint(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: WebhookEndpointIdParams,
  ): Promise<void> {
    await this.endpoints.delete(org.organizationId, userActor(caller), params.endpoint_id);
  }

  @Post(':endpoint_id/rotate-secret')
  @HttpCode(200)
  @Access('admin')
  @ApiOperation({
    summary: "Rotate a webhook endpoint's signing secret",
    description: 'For 24 hours both secrets sign every message.',
  })
  @ApiOkResponse({ type: WebhookSecretDto, description: 'The new secret, shown once' })
  @ApiErrors(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND)
  async rotateWebhookEndpointSecret(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: WebhookEndpointIdParams,
  ): Promise<WebhookSecretDto> {
    return {
      secret: await this.endpoints.rotateSecret(org.organizationId, userActor(caller), params.endpoint_id),
    };
  }

  @Post(':endpoint_id/test')
  @HttpCode(202)
  @Access('admin')
  @ApiOperation({
    summary: 'Send a test message to a webhook endpoint',
    description: 'A `webhook.test` message to this endpoint only.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto, description: 'The delivery, scheduled' })
  @ApiErrors(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND)
  async testWebhookEndpoint(
    @CurrentOrg() org: OrgScope,
    @CurrentCaller() caller: Caller,
    @Param() params: WebhookEndpointIdParams,
  ): Promise<WebhookDeliveryResponseDto> {
    return WebhookDeliveryResponseDto.from(
      await this.deliveries.sendTest(org.organizationId, userActor(caller), params.endpoint_id),
    );
  }

  @Get(':endpoint_id/deliveries')
  @Access('admin')
  @ApiOperation({
    summary: "List a webhook endpoint's deliveries",
    description: 'Newest first; `status` filters.',
  })
  @ApiOkResponse({ type: PageOf(WebhookDeliveryResponseDto), description: 'A page of deliveries' })
  @ApiErrors(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND)
  listWebhookDeliveries(
    @CurrentOrg() org: OrgScope,
    @Param() params: WebhookEndpointIdParams,
    @Query() query: WebhookDeliveryQueryDto,
  ): Promise<Page<WebhookDeliveryResponseDto>> {
    return this.deliveries.list(org.organizationId, params.endpoint_id, query);
  }

  @Post(':endpoint_id/deliveries/:delivery_id/retry')
  @HttpCode(202)
  @Access('admin')
  @ApiOperation({ summary: 'Retry a webhook delivery', description: 'One more attempt, now.' })
  @ApiAcceptedResponse({ type: WebhookDeliveryResponseDto, description: 'The delivery, scheduled' })
  @ApiErrors(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND)
  async retryWebhookDelivery(
    @CurrentOrg() org: OrgScope,
    @Param() params: WebhookDeliveryIdParams,
  ): Promise<WebhookDeliveryResponseDto> {
    return WebhookDeliveryResponseDto.from(
      await this.deliveries.retry(org.organizationId, params.endpoint_id, params.delivery_id),
    );
  }
}
