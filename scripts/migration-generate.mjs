// npm run migration:generate -- <Name>: diff the compiled entities against DATABASE_URL's schema
// and write src/database/migrations/<timestamp>-<Name>.ts (then add it to migrations/index.ts).
import { execFileSync } from 'node:child_process';

const name = process.argv[2];
if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
  process.stderr.write('usage: npm run migration:generate -- <PascalCaseName>\n');
  process.exit(2);
}
execFileSync(
  process.execPath,
  [
    'node_modules/typeorm/cli.js',
    'migration:generate',
    '-d',
    'dist/database/cli-data-source.js',
    `src/database/migrations/${name}`,
  ],
  { stdio: 'inherit' },
);
