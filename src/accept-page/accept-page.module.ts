import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { AccessRepository } from '../common/auth/access.repository.js';
import { acceptFormBodies } from '../common/html/form-bodies.js';
import { InvitationsModule } from '../invitations/invitations.module.js';
import { ACCEPT_PAGE_FORM_ROUTES, AcceptPageController } from './accept-page.controller.js';

/**
 * The hosted accept page. Imported by AppModule only when ACCEPT_PAGE_ENABLED, so without it the
 * routes do not exist at all (404, like any unknown route).
 */
@Module({
  imports: [InvitationsModule],
  controllers: [AcceptPageController],
  providers: [AccessRepository],
})
export class AcceptPageModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    acceptFormBodies(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), ACCEPT_PAGE_FORM_ROUTES);
  }
}
