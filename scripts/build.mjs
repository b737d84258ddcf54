// Compiles src/ to dist/ and copies the mail templates beside the compiled code.
// With --if-needed it does nothing when dist/ is newer than every file in src/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = Math.max(newestMtime('src'), statSync('package-lock.json').mtimeMs, statSync('tsconfig.build.json').mtimeMs);
if (process.argv.includes('--if-needed') && existsSync(STAMP) && statSync(STAMP).mtimeMs >= sources) process.exit(0);

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: ['ignore', 2, 2] });
if (existsSync('src/mail/templates')) cpSync('src/mail/templates', 'dist/mail/templates', { recursive: true });
writeFileSync(STAMP, new Date().toISOString());
