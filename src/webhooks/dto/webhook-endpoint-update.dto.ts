import { PartialType } from '@nestjs/swagger';
import { WebhookEndpointCreateDto } from './webhook-endpoint-create.dto.js';

/** Only the fields sent change; enabling an endpoint again clears its failure run. */
export class WebhookEndpointUpdateDto extends PartialType(WebhookEndpointCreateDto) {}
