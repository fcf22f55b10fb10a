import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium package: the browser tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Run the browser tests when chromium is installed; required (a failure, not a skip) when CI says so. */
export const runBrowserTests = existsSync(CHROMIUM_PATH) || process.env['PLANEXEC_REQUIRE_CHROMIUM'] === '1';

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`PLANEXEC_REQUIRE_CHROMIUM=1 but ${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
