import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';
import { makeTempDir, removeTempDir } from './with-temp-dir.ts';

/** Debian's chromium; playwright-core drives it (never `npx playwright install`). */
const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, no sandbox (the test machine runs as root), no network chatter (it has no internet). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/** A running headless chromium with its own profile; `close()` is idempotent and removes the profile. */
export interface HeadlessChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Debian's chromium with a fresh temporary `--user-data-dir`. Fails loudly, with the
 * install command, when the binary is missing: a browser test must not silently pass.
 */
export async function launchChromium(viewport = { width: 1360, height: 900 }): Promise<HeadlessChromium> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: install Debian's chromium with \`apt-get update && apt-get install -y chromium\` (CI's .ci/run does this)`,
    );
  }
  const profile = makeTempDir('chromium');
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport,
    });
  } catch (error) {
    removeTempDir(profile);
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    context,
    close() {
      closing ??= context.close().finally(() => removeTempDir(profile));
      return closing;
    },
  };
}
