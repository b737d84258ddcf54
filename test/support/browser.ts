import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe } from '@jest/globals';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.join(process.cwd(), 'test/artifacts');

const missing = fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (apt-get install -y chromium)`;

/**
 * `describe` for a suite that needs Chromium: on a developer machine without it the suite is
 * skipped and says why; under CI=true it must run (its beforeAll fails instead).
 */
export function describeInBrowser(file: string, name: string, body: () => void): void {
  const skip = missing !== undefined && process.env.CI !== 'true';
  if (skip) process.stderr.write(`${file} skipped: ${missing}\n`);
  (skip ? describe.skip : describe)(`${name}${skip ? ` (skipped: ${missing})` : ''}`, body);
}

/**
 * Headless Chromium that talks to nothing on its own. `hosts` are resolved to 127.0.0.1 by
 * Chromium itself (no DNS), so a test server can be reached by a name. Each context it opens is a
 * fresh profile (no cookies, no cache), as a person opening a link for the first time.
 */
export async function launchChromium(hosts: string[]): Promise<Browser> {
  if (missing) throw new Error(`${missing}; CI=true requires the browser suites to run`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      `--host-resolver-rules=${hosts.map((host) => `MAP ${host} 127.0.0.1`).join(', ')}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
