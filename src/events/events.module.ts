import { Global, Module } from '@nestjs/common';
import { EventLog } from './event-log.js';

/** Global: every feature appends to the one event log; the log imports no feature. */
@Global()
@Module({
  providers: [EventLog],
  exports: [EventLog],
})
export class EventsModule {}
