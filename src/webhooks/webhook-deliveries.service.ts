import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { iso } from '../common/http/timestamps.js';
import { newId } from '../common/ids/ids.js';
import { CursorCodec } from '../common/pagination/cursor-codec.js';
import { Db } from '../database/transactions.js';
import { Page, paginate } from '../common/pagination/pagination.js';
import { Actor } from '../events/actor.js';
import { EventJson } from '../events/event-json.js';
import { WebhookDeliveryQueryDto, WebhookDeliveryResponseDto } from './dto/webhook-delivery-response.dto.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookScheduler } from './webhook-scheduler.js';

/** The delivery log of an endpoint, a manual retry, and the test message. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    @InjectRepository(WebhookDelivery) private readonly deliveries: Repository<WebhookDelivery>,
    private readonly db: Db,
    private readonly endpoints: WebhookEndpointsService,
    private readonly scheduler: WebhookScheduler,
    private readonly cursors: CursorCodec,
  ) {}

  /** Finished deliveries older than `days` (the events they carried are pruned alike); returns how many. */
  async pruneFinished(days: number): Promise<number> {
    const [, count]: [unknown[], number] = await this.db
      .manager()
      .query(
        `DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < now() - $1 * interval '1 day'`,
        [days],
      );
    return count;
  }

  /** Newest first, like any log. */
  async list(
    organizationId: string,
    endpointId: string,
    query: WebhookDeliveryQueryDto,
  ): Promise<Page<WebhookDeliveryResponseDto>> {
    await this.endpoints.get(organizationId, endpointId);
    const qb = this.deliveries
      .createQueryBuilder('d')
      .where('d.organization_id = :organizationId AND d.endpoint_id = :endpointId', {
        organizationId,
        endpointId,
      });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    return paginate(
      qb,
      query,
      WebhookDeliveryResponseDto.from,
      this.cursors.for('webhook_deliveries', endpointId),
      'newest_first',
    );
  }

  /** Schedules one more attempt now, whatever the delivery's status (a succeeded one is sent again). */
  async retry(organizationId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.endpoints.get(organizationId, endpointId);
    return this.db.transaction(async (manager) => {
      const [rows]: [unknown[], number] = await manager.query(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now()
         WHERE organization_id = $1 AND endpoint_id = $2 AND id = $3 RETURNING id`,
        [organizationId, endpointId, deliveryId],
      );
      if (rows.length === 0) {
        throw new AppError(ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND, undefined, { delivery_id: deliveryId });
      }
      await this.scheduler.enqueue(manager, deliveryId);
      return manager.findOneByOrFail(WebhookDelivery, { id: deliveryId });
    });
  }

  /** A `webhook.test` message to this endpoint only; it is not an event of the audit log. */
  async sendTest(organizationId: string, actor: Actor, endpointId: string): Promise<WebhookDelivery> {
    const endpoint = await this.endpoints.get(organizationId, endpointId);
    const event: EventJson = {
      id: newId('evt'),
      type: 'webhook.test',
      organization_id: organizationId,
      created_at: iso(new Date()),
      actor: { type: actor.type, id: actor.id, api_key_id: actor.apiKeyId },
      subject: { type: 'webhook_endpoint', id: endpoint.id },
      data: { endpoint_id: endpoint.id, url: endpoint.url },
    };
    return this.db.transaction(async (manager) => {
      const id = await this.scheduler.toEndpoint(manager, organizationId, endpoint.id, event);
      return manager.findOneByOrFail(WebhookDelivery, { id });
    });
  }
}
