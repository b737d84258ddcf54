import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventLog } from './event-log.js';
import { EventQueries } from './event-queries.js';
import { EventRetention } from './event-retention.js';
import { EventRecord } from './event.entity.js';
import { EventsController } from './events.controller.js';

/** Global: every feature appends to the one event log; the log imports no feature. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([EventRecord])],
  controllers: [EventsController],
  providers: [EventLog, EventQueries, EventRetention],
  exports: [EventLog, EventRetention],
})
export class EventsModule {}
