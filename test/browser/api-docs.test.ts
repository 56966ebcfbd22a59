// Swagger UI at /api/docs in headless Chromium with every non-loopback request blocked: it must render
// the operations from the origin's own files under its strict CSP.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-app.ts';
import { chromiumMissing, ignoreRouteAfterClose, launchChromium } from '../support/chromium.ts';
import { serveOnLoopback } from '../support/serve-app.ts';

describe.skipIf(chromiumMissing)('Swagger UI at /api/docs in Chromium', () => {
  let api: TestApi;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    api = await startTestApi();
    server = await serveOnLoopback(api.app.fetch);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await api?.close();
  });

  it('renders every operation with no network beyond the origin and no CSP violation', async () => {
    const page = await browser.newPage();
    const blocked: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.protocol === 'data:') {
        return route.continue().catch(ignoreRouteAfterClose);
      }
      blocked.push(url.href);
      return route.abort().catch(ignoreRouteAfterClose);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    const response = await page.goto(`${server.url}/api/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.opblock').first().waitFor();

    const spec = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operationCount = Object.values(spec.paths).reduce(
      (n, methods) => n + Object.keys(methods).length,
      0,
    );
    await expect.poll(() => page.locator('.opblock').count()).toBe(operationCount);
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths.map((p) => p.replace(/\u200b/g, ''))).toContain('/api/v1/auth/token');
    expect(await page.locator('.btn.authorize').count()).toBe(1);
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
