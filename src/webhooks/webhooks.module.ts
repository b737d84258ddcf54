import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WebhookAttempts } from './webhook-attempts.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookScheduler } from './webhook-scheduler.js';
import { WebhookSecrets } from './webhook-secrets.js';

/**
 * Webhooks: endpoints, and the delivery of every matching event, signed per Standard Webhooks,
 * through the job queue (a reaction of the event log schedules them in the change's transaction).
 */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpoint, WebhookDelivery])],
  controllers: [WebhookEndpointsController],
  providers: [
    WebhookSecrets,
    WebhookScheduler,
    WebhookAttempts,
    WebhookEndpointsService,
    WebhookDeliveriesService,
  ],
  exports: [WebhookAttempts, WebhookDeliveriesService],
})
export class WebhooksModule {}
