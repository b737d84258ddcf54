import * as fs from 'node:fs';

/**
 * Loads `.env` from the working directory when present; variables already set in the
 * environment win. Uses Node's own parser (process.loadEnvFile, Node >= 20.12).
 */
export function loadEnvFile(file = '.env'): void {
  if (fs.existsSync(file)) process.loadEnvFile(file);
}
