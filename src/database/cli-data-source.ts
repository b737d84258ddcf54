import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options.js';

/**
 * The DataSource for the TypeORM CLI (`npm run migration:generate|run|revert`), which the scripts
 * run from the build. It needs a server: set DATABASE_URL.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error(
    'DATABASE_URL must be set for the TypeORM CLI (e.g. postgres://postgres@127.0.0.1:5432/invitations)',
  );
}

export default new DataSource(dataSourceOptions(url));
