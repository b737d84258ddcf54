import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations/index.js';
import { withSessionOptions } from './session-options.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';
import { TransactionPipeliningClient } from './transaction-pipelining-client.js';

/** The one description of our database, shared by the app, `ormconfig.ts` (CLI) and the tests. */
export function dataSourceOptions(
  url: string,
  extra: Partial<DataSourceOptions> = {},
  poolMax = 20,
): DataSourceOptions {
  const { connectionString, options } = withSessionOptions(url);
  return {
    type: 'postgres',
    url: connectionString,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // Pool: fail fast when the database is unreachable so requests get a 503 instead of hanging.
    extra: {
      max: poolMax,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      Client: TransactionPipeliningClient,
      options,
    },
    ...extra,
  } as DataSourceOptions;
}
