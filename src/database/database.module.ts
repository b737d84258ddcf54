import { Global, Module } from '@nestjs/common';
import { Db } from './transactions.js';

/** Global: every repository reaches the database through the one `Db`, so all join the same transaction. */
@Global()
@Module({
  providers: [Db],
  exports: [Db],
})
export class DatabaseModule {}
