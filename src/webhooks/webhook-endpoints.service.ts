import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Db } from '../database/transactions.js';
import { Page, PageQueryDto, paginate } from '../common/pagination/pagination.js';
import { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Actor } from '../events/actor.js';
import { EventLog } from '../events/event-log.js';
import { EventType } from '../events/event-types.js';
import { WebhookEndpointCreateDto } from './dto/webhook-endpoint-create.dto.js';
import { WebhookEndpointResponseDto } from './dto/webhook-endpoint-response.dto.js';
import { WebhookEndpointUpdateDto } from './dto/webhook-endpoint-update.dto.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { newSigningSecret } from './webhook-secret-key.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { checkWebhookUrl } from './webhook-url.js';

/** Both secrets sign for this long after a rotation (API.md "Webhooks"). */
const ROTATION_OVERLAP_HOURS = 24;

/**
 * An organization's webhook endpoints. Every query carries the organization id; every change
 * appends its `webhook_endpoint.*` event in the same transaction.
 */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectRepository(WebhookEndpoint) private readonly endpoints: Repository<WebhookEndpoint>,
    private readonly db: Db,
    private readonly secrets: WebhookSecrets,
    private readonly events: EventLog,
    private readonly cursors: CursorCodec,
  ) {}

  async create(
    organizationId: string,
    actor: Actor,
    input: WebhookEndpointCreateDto,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const url = checkWebhookUrl(input.url, this.config);
    const id = newId('whep');
    const secret = newSigningSecret();
    const endpoint = this.endpoints.create({
      id,
      organizationId,
      url,
      eventTypes: input.event_types ?? ['*'],
      description: input.description ?? null,
      enabled: input.enabled ?? true,
      secretSealed: this.secrets.seal(secret, id),
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      failingSince: null,
    });
    const saved = await this.db.transaction(async (manager) => {
      const row = await manager.save(endpoint);
      await this.appendEvent(manager, 'webhook_endpoint.created', actor, row);
      return row;
    });
    return { endpoint: saved, secret };
  }

  list(organizationId: string, query: PageQueryDto): Promise<Page<WebhookEndpointResponseDto>> {
    const qb = this.endpoints
      .createQueryBuilder('e')
      .where('e.organization_id = :organizationId', { organizationId });
    return paginate(
      qb,
      query,
      WebhookEndpointResponseDto.from,
      this.cursors.for('webhook_endpoints', organizationId),
    );
  }

  async get(
    organizationId: string,
    endpointId: string,
    manager: EntityManager = this.db.manager(),
  ): Promise<WebhookEndpoint> {
    const endpoint = await manager.findOneBy(WebhookEndpoint, { organizationId, id: endpointId });
    if (!endpoint) throw notFound(endpointId);
    return endpoint;
  }

  async update(
    organizationId: string,
    actor: Actor,
    endpointId: string,
    input: WebhookEndpointUpdateDto,
  ): Promise<WebhookEndpoint> {
    const changes: Partial<WebhookEndpoint> = {};
    if (input.url !== undefined) changes.url = checkWebhookUrl(input.url, this.config);
    if (input.event_types !== undefined) changes.eventTypes = input.event_types;
    if (input.description !== undefined) changes.description = input.description;
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    // Enabled again by a person: the failure run that disabled it is over.
    if (input.enabled === true) changes.failingSince = null;
    return this.db.transaction(async (manager) => {
      const { affected } = await manager.update(
        WebhookEndpoint,
        { organizationId, id: endpointId },
        { ...changes, updatedAt: () => 'now()' },
      );
      if (!affected) throw notFound(endpointId);
      const endpoint = await this.get(organizationId, endpointId, manager);
      await this.appendEvent(manager, 'webhook_endpoint.updated', actor, endpoint);
      return endpoint;
    });
  }

  async delete(organizationId: string, actor: Actor, endpointId: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const endpoint = await manager.findOne(WebhookEndpoint, {
        where: { organizationId, id: endpointId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!endpoint) throw notFound(endpointId);
      // Deleted first, so the event's own deliveries do not go to the endpoint it removes.
      await manager.delete(WebhookEndpoint, { organizationId, id: endpointId });
      await this.appendEvent(manager, 'webhook_endpoint.deleted', actor, endpoint);
    });
  }

  /** A new secret; the current one becomes the previous and keeps signing for ROTATION_OVERLAP_HOURS. */
  async rotateSecret(organizationId: string, actor: Actor, endpointId: string): Promise<string> {
    const secret = newSigningSecret();
    await this.db.transaction(async (manager) => {
      const [rows]: [unknown[], number] = await manager.query(
        `UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, secret_sealed = $3,
           previous_secret_expires_at = now() + $4 * interval '1 hour', updated_at = now()
         WHERE organization_id = $1 AND id = $2 RETURNING id`,
        [organizationId, endpointId, this.secrets.seal(secret, endpointId), ROTATION_OVERLAP_HOURS],
      );
      if (rows.length === 0) throw notFound(endpointId);
      await this.appendEvent(
        manager,
        'webhook_endpoint.updated',
        actor,
        await this.get(organizationId, endpointId, manager),
      );
    });
    return secret;
  }

  private async appendEvent(
    manager: EntityManager,
    type: EventType,
    actor: Actor,
    endpoint: WebhookEndpoint,
  ): Promise<void> {
    await this.events.append(manager, {
      type,
      organizationId: endpoint.organizationId,
      actor,
      subjectId: endpoint.id,
      data: WebhookEndpointResponseDto.from(endpoint),
    });
  }
}

export function notFound(endpointId: string): AppError {
  return new AppError(ErrorCode.WEBHOOK_ENDPOINT_NOT_FOUND, undefined, { endpoint_id: endpointId });
}
