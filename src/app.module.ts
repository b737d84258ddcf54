import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AcceptPageModule } from './accept-page/accept-page.module.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { BootstrapService } from './cli/bootstrap.service.js';
import { AccessRepository } from './common/auth/access.repository.js';
import { AuthGuard } from './common/auth/auth.guard.js';
import { OidcIdentitiesRepository } from './common/auth/oidc/oidc-identities.repository.js';
import { OidcVerifier } from './common/auth/oidc/oidc-verifier.js';
import { TokenAuthenticator } from './common/auth/oidc/token-authenticator.js';
import { AppExceptionFilter } from './common/errors/app-exception.filter.js';
import { RateLimitGuard } from './common/rate-limit/rate-limit.guard.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { PaginationModule } from './common/pagination/pagination.module.js';
import { AppValidationPipe } from './common/validation/app-validation.pipe.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { DepartmentsModule } from './departments/departments.module.js';
import { EventsModule } from './events/events.module.js';
import { DomainsModule } from './domains/domains.module.js';
import { EmailVerificationModule } from './email-verification/email-verification.module.js';
import { HealthModule } from './health/health.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { InvitationsModule } from './invitations/invitations.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { SweeperModule } from './sweeper/sweeper.module.js';
import { MailModule } from './mail/mail.module.js';
import { MailViewerModule } from './mail-viewer/mail-viewer.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { RolesModule } from './roles/roles.module.js';
import { UsersModule } from './users/users.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/**
 * Wires the feature modules. The global filter, pipe and guard are providers here, so every app
 * built from this module (production and tests alike) has them.
 */
@Module({})
export class AppModule {
  static register(config: AppConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, {}, config.databasePoolMax),
          migrationsRun: config.migrationsRun,
          retryAttempts: 3,
          retryDelay: 1000,
        }),
        DatabaseModule,
        EventsModule,
        MetricsModule,
        IdempotencyModule,
        JobsModule,
        RateLimitModule,
        PaginationModule,
        HealthModule,
        ApiKeysModule,
        OrganizationsModule,
        RolesModule,
        DepartmentsModule,
        UsersModule,
        EmailVerificationModule,
        InvitationsModule,
        DomainsModule,
        MailModule,
        WebhooksModule,
        SweeperModule,
        // HTML for people, not API: each only where its configuration asks for it.
        ...(config.acceptPageEnabled ? [AcceptPageModule] : []),
        ...(config.mailViewerEnabled ? [MailViewerModule] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: AppExceptionFilter },
        { provide: APP_PIPE, useClass: AppValidationPipe },
        { provide: APP_GUARD, useClass: AuthGuard },
        // After the AuthGuard: budgets count per resolved API key and organization.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        AccessRepository,
        OidcVerifier,
        OidcIdentitiesRepository,
        TokenAuthenticator,
        BootstrapService,
      ],
    };
  }
}
