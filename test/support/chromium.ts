// Debian's Chromium for browser tests (TOOLCHAIN.md): the binary, the flags that keep it offline and quiet,
// and whether this machine has it (CI always installs it, so there a missing binary fails instead of skipping).
// Launch it once per browser test file (beforeAll) with launchChromium and give each test a new context.
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { scaled } from './time-scale.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const chromiumMissing = !existsSync(CHROMIUM) && process.env.CI !== 'true';

/** Playwright's own waits (actions, waitFor, waitForURL, navigation): 30 s by default, scaled here. */
export const BROWSER_WAIT_MS = scaled(30_000);

/**
 * Launches Chromium; every context (and page) it opens waits up to BROWSER_WAIT_MS, scaled by
 * TEST_TIME_SCALE, instead of Playwright's fixed 30 s.
 */
export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: scaled(60_000),
  });
  const scaleWaits = (context: BrowserContext) => {
    context.setDefaultTimeout(BROWSER_WAIT_MS);
    context.setDefaultNavigationTimeout(BROWSER_WAIT_MS);
    return context;
  };
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => scaleWaits(await newContext(options));
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    // As Browser.newPage does: the page owns its context, so closing the page closes the context.
    page.once('close', () => void context.close());
    return page;
  };
  return browser;
}
