// Real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with a fresh profile per launch.
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { makeTempDir, type TempDir } from './temp-dir.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined. In CI a missing Chromium is a failure, not a skip. */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return undefined;
  return `skipped: ${CHROMIUM_PATH} is missing (apt-get install -y chromium; .ci/run installs it)`;
}

/**
 * Flags from the issue: without the background-networking ones Chromium floods a closed network with
 * refused connections (updates, sync, field trials).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a fresh --user-data-dir (Playwright passes it), removed on close. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const profile: TempDir = await makeTempDir('rag-studio-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: 120_000,
  });
  return {
    context,
    async close() {
      await context.close();
      await profile.remove();
    },
  };
}
