// Compiles src/ to dist/ and copies the templates (handlebars, the pages' stylesheet) beside the compiled code.
// With --if-needed it does nothing when dist/ is newer than every file in src/.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

function templateDirs(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.name === 'templates' ? [path] : templateDirs(path);
    });
}

const sources = Math.max(
  newestMtime('src'),
  statSync('package-lock.json').mtimeMs,
  statSync('tsconfig.build.json').mtimeMs,
);
if (process.argv.includes('--if-needed') && existsSync(STAMP) && statSync(STAMP).mtimeMs >= sources)
  process.exit(0);

// Build beside dist/ and swap it in, so a process running from dist/ never sees half a build.
const staging = `dist.build-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
try {
  execFileSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', staging],
    {
      stdio: ['ignore', 2, 2],
    },
  );
} catch {
  rmSync(staging, { recursive: true, force: true });
  process.stderr.write('build failed (see the TypeScript errors above)\n');
  process.exit(1);
}
// Every templates/ folder (mail, the accept page, the mail viewer, the shared HTML layout).
for (const dir of templateDirs('src'))
  cpSync(dir, join(staging, dir.slice('src/'.length)), { recursive: true });
writeFileSync(join(staging, '.build-stamp'), new Date().toISOString());
const old = `dist.old-${process.pid}`;
if (existsSync('dist')) renameSync('dist', old);
renameSync(staging, 'dist');
rmSync(old, { recursive: true, force: true });
