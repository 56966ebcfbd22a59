// Debian's Chromium for browser tests (TOOLCHAIN.md): the binary, the flags that keep it offline and quiet,
// and whether this machine has it (CI always installs it, so there a missing binary fails instead of skipping).
// Launch it once per browser test file (beforeAll) with launchChromium and give each test a new context.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { PROJECT_ROOT } from './edge-worker.ts';
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

/** What the pages of a browser test must not do: requests that left 127.0.0.1, console errors and warnings. */
export interface PageWatch {
  blocked: string[];
  problems: string[];
}

/**
 * For a route handler's continue()/abort(): a request still being routed when its page closes rejects with
 * "Target page, context or browser has been closed", which Playwright leaves unhandled (vitest then fails the
 * run). Nothing is waiting for that request any more; a request that fails while the page is open still shows
 * up as a console error or a failed load, which the tests watch.
 */
export function ignoreRouteAfterClose(): void {}

/**
 * A new context and page (1280 x 900) that reaches only 127.0.0.1: other requests are aborted and listed in
 * `watch.blocked`; console errors and warnings and uncaught page errors go to `watch.problems`.
 */
export async function watchedPage(
  browser: Browser,
  watch: PageWatch,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue().catch(ignoreRouteAfterClose);
    watch.blocked.push(url.href);
    return route.abort().catch(ignoreRouteAfterClose);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') watch.problems.push(message.text());
  });
  page.on('pageerror', (error) => watch.problems.push(error.message));
  return { context, page };
}

export const SCREENSHOTS = join(PROJECT_ROOT, 'test-results', 'screenshots');
const SCREENSHOT_WIDTHS = [1280, 390] as const;

/**
 * Full-page screenshots at 1280 and 390 px into test-results/screenshots/<name>-<width>.png, asserting that
 * nothing is wider than the window (no sideways scrolling); leaves the page at 1280 px.
 */
export async function screenshotWidths(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of SCREENSHOT_WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth),
      `${name} at ${width}`,
    ).toBeLessThanOrEqual(width);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
