import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysService } from './api-keys.service.js';
import { ApiKeyUseRecorder } from '../common/auth/api-key-use-recorder.js';
import { ApiKeyActivity } from './api-key-activity.js';
import { ApiKeysRepository } from './api-keys.repository.js';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKey]), UsersModule],
  controllers: [ApiKeysController],
  providers: [
    ApiKeysService,
    ApiKeysRepository,
    // The AuthGuard (common/) records key uses through the port it declares.
    { provide: ApiKeyUseRecorder, useClass: ApiKeyActivity },
  ],
  exports: [ApiKeysService, ApiKeyUseRecorder],
})
export class ApiKeysModule {}
