import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { InvitationRepositoryModule } from '../invitations/invitation-repository.module.js';
import { InvitationTokensModule } from '../invitations/invitation-tokens.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { Sweeper } from './sweeper.js';

/** The periodic sweeper; apart from JobsModule so the job queue depends on no feature. */
@Module({
  imports: [InvitationRepositoryModule, InvitationTokensModule, IdempotencyModule, WebhooksModule],
  providers: [Sweeper],
  exports: [Sweeper],
})
export class SweeperModule {}
