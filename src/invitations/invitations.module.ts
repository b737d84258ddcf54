import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { EmailVerificationModule } from '../email-verification/email-verification.module.js';
import { UsersModule } from '../users/users.module.js';
import { InviteBudget } from '../common/rate-limit/invite-budget.js';
import { BULK_ROUTE, BulkInvitationsController } from './bulk/bulk-invitations.controller.js';
import { acceptCsvBodies } from './bulk/csv-body.js';
import { BulkInvitationsRepository } from './bulk/bulk-invitations.repository.js';
import { BulkInvitationsService } from './bulk/bulk-invitations.service.js';
import { InvitationAcceptanceService } from './invitation-acceptance.service.js';
import { InvitationCreateService } from './invitation-create.service.js';
import { InvitationLinksController } from './invitation-links.controller.js';
import { InvitationManagementService } from './invitation-management.service.js';
import { InvitationQueriesService } from './invitation-queries.service.js';
import { InvitationReadRepository } from './invitation-read.repository.js';
import { InvitationTokensModule } from './invitation-tokens.module.js';
import { Invitation } from './invitation.entity.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationRepositoryModule } from './invitation-repository.module.js';
import { MemberInvitationLinks } from './member-invitation-links.js';
import { OrgInvitationsController } from './org-invitations.controller.js';
import { PublishedInvitationsController } from './published-invitations.controller.js';

/**
 * Invitations: the routes of the four published pages (invite-user, invite-user v2, pending invitation, org-slug invitations), the invitation resource, and what
 * a link's holder can do with it. One service per use case; each change appends its event (the mail module's reaction queues the emails).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([Invitation]),
    InvitationTokensModule,
    InvitationRepositoryModule,
    UsersModule,
    ApiKeysModule,
    EmailVerificationModule,
  ],
  controllers: [
    PublishedInvitationsController,
    OrgInvitationsController,
    BulkInvitationsController,
    InvitationsController,
    InvitationLinksController,
  ],
  providers: [
    InvitationCreateService,
    InvitationQueriesService,
    InvitationReadRepository,
    InvitationAcceptanceService,
    InvitationManagementService,
    MemberInvitationLinks,
    BulkInvitationsService,
    BulkInvitationsRepository,
    InviteBudget,
  ],
  // The hosted accept page (src/accept-page) goes through the same use cases as the API.
  exports: [InvitationAcceptanceService, InvitationQueriesService],
})
export class InvitationsModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    acceptCsvBodies(this.adapterHost.httpAdapter.getInstance<FastifyInstance>(), new Set([BULK_ROUTE]));
  }
}
