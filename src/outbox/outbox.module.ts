import { Module } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository.js';

/** The email outbox's one owner, for every feature that queues or sends mail. */
@Module({ providers: [OutboxRepository], exports: [OutboxRepository] })
export class OutboxModule {}
