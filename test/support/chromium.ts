/**
 * Debian's Chromium (package `chromium`, installed by .ci/run) driven by playwright-core, which
 * downloads no browser of its own. Where it is missing a browser spec is skipped with a loud
 * message, except in CI (CI=true), where it fails instead.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser specs leave screenshots: $VERITY_ARTIFACTS_DIR, else test-artifacts/ (git-ignored). */
export function artifactsDir(): string {
  const dir = process.env.VERITY_ARTIFACTS_DIR ?? join(__dirname, '..', '..', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** `describe` when Chromium is there (or in CI, where its absence fails the spec), else `describe.skip`. */
export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM_PATH) || process.env.CI === 'true') {
    describe(name, body);
    return;
  }
  const banner = '!'.repeat(100);
  console.warn(
    `${banner}\nSKIPPED: "${name}" needs Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, as .ci/run does, or set CHROMIUM_PATH)\n${banner}`,
  );
  describe.skip(name, body);
}

/**
 * Starts headless Chromium. Root (CI, containers) needs --no-sandbox; this machine's network is
 * closed, so Chromium's own background connections are switched off.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}: .ci/run installs it (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
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
