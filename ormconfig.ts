/**
 * The TypeORM DataSource of this project. The npm scripts run the compiled copy
 * (`dist/database/cli-data-source.js`); see `npm run migration:generate|run|revert`.
 */
export { default } from './src/database/cli-data-source.js';
