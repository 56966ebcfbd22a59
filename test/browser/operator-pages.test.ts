// The pages an operator meets, in headless Chromium against a real origin: the first-run jobs page and its
// example jobs, the typed arguments form used with the keyboard only, the run strip, the dashboard, alerts,
// users and the filtered audit log, each at 1280 and 390 px (no sideways scrolling, screenshots for the
// guide), with no request leaving 127.0.0.1 and a clean console (the strict CSP holds); list rows added in place
// with htmx and by a plain post without JavaScript.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, screenshotWidths, watchedPage } from '../support/chromium.ts';
import { type RunningOrigin, startOrigin } from '../support/origin-process.ts';

const ADMIN = { username: 'admin', password: 'browser-admin-password-1' };

describe.skipIf(chromiumMissing)('operator pages in Chromium', () => {
  let origin: RunningOrigin;
  let browser: Browser;
  let page: Page;
  const blocked: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    origin = await startOrigin({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    browser = await launchChromium();
    ({ page } = await watchedPage(browser, { blocked, problems }));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await origin?.stop();
  });

  /** Signs `target` in unless its context already has a session (each test may run on its own). */
  async function signIn(target: Page) {
    await target.goto(`${origin.url}/admin/jobs`);
    if (new URL(target.url()).pathname !== '/admin/login') return;
    await target.getByLabel('Username').fill(ADMIN.username);
    await target.getByLabel('Password').fill(ADMIN.password);
    await target.getByRole('button', { name: 'Log in' }).click();
    await target.waitForURL(/\/admin\/jobs$/);
  }

  const screenshots = (name: string) => screenshotWidths(page, name);

  it('guides a first run, takes typed arguments from the keyboard, and draws the pictures', async () => {
    // The bare origin leads to the admin login, and no icon request fails.
    await page.goto(`${origin.url}/`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/admin\/jobs$/);
    expect(await page.getByRole('heading', { name: 'No jobs yet' }).count()).toBe(1);
    await screenshots('admin-first-run');
    await page.getByRole('button', { name: 'Add example jobs' }).click();
    await page.waitForURL(/done=examples/);
    expect(await page.locator('tr[data-job-name^="example-"]').count()).toBeGreaterThanOrEqual(4);

    // Keyboard only: choose the HTTP function, fill typed fields, add a status row, save with Enter.
    await page.goto(`${origin.url}/admin/jobs/new`);
    await page.getByLabel('Name', { exact: true }).focus();
    await page.keyboard.type('keyboard-http');
    await page.getByLabel('Function').focus();
    await page.getByLabel('Function').selectOption('app.jobs.http:http_request');
    await page.locator('#arg-url').waitFor();
    await page.locator('#arg-method').focus();
    await page.keyboard.press('Tab'); // to the URL
    await page.keyboard.type('https://example.com/health');
    await page.locator('#arg-headers-0-key').focus();
    await page.keyboard.type('Accept');
    await page.keyboard.press('Tab');
    await page.keyboard.type('application/json');
    await page.locator('#arg-timeout_seconds').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('9999');
    await page.getByLabel('Cron expression').focus();
    await page.keyboard.type('*/10 * * * *');
    await screenshots('admin-args-form');
    await page.keyboard.press('Enter');
    await page.waitForLoadState('domcontentloaded');
    // The server's 422 lands beside the field; fix it with the keyboard and save.
    await page.locator('#arg-timeout_seconds-error').waitFor();
    expect(await page.locator('#arg-timeout_seconds').getAttribute('aria-invalid')).toBe('true');
    await screenshots('admin-args-form-invalid');
    await page.locator('#arg-timeout_seconds').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('20');
    await page.keyboard.press('Enter');
    await page.waitForURL(/done=created/);
    const jobUrl = page.url().split('?')[0]!;
    const jobId = jobUrl.split('/').at(-1)!;
    const api = await fetch(`${origin.url}/api/v1/auth/token`, {
      method: 'POST',
      body: new URLSearchParams(ADMIN),
    });
    const token = ((await api.json()) as { access_token: string }).access_token;
    const job = (await (
      await fetch(`${origin.url}/api/v1/jobs/${jobId}`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { kwargs: Record<string, unknown> };
    expect(job.kwargs).toMatchObject({
      url: 'https://example.com/health',
      headers: { Accept: 'application/json' },
      timeout_seconds: 20,
    });

    // The run strip on a job that ran: run the heartbeat example twice.
    const heartbeat = await page.goto(`${origin.url}/admin/jobs?q=example-heartbeat`);
    expect(heartbeat?.status()).toBe(200);
    await page.getByRole('link', { name: 'example-heartbeat' }).click();
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: 'Run now' }).click();
      await page.waitForURL(/done=run/);
    }
    await expect
      .poll(() => page.locator('#run-rows tr[data-status="succeeded"]').count(), { timeout: 60_000 })
      .toBe(2);
    await page.reload();
    expect(await page.locator('#run-strip svg[role="img"] title').first().textContent()).toBe(
      'Last 2 runs of example-heartbeat',
    );
    await screenshots('admin-job-strip');

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL(/\/admin\/dashboard/);
    expect(await page.locator('#per-hour-desc').textContent()).toMatch(/^2 runs in 24 hours: 2 succeeded/);
    await screenshots('admin-dashboard');

    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.waitForURL(/\/admin\/alerts/);
    await screenshots('admin-alerts');

    await page.getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(/\/admin\/users/);
    await screenshots('admin-users');

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').fill('job.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/action=job\.create/);
    expect(await page.locator('table.audit tbody tr').count()).toBeGreaterThanOrEqual(5);
    await screenshots('admin-audit-filtered');

    const icon = await page.request.get(`${origin.url}/favicon.ico`);
    expect(icon.status()).toBe(200);
    expect(blocked).toEqual([]);
    // The one refused save above is answered 422 on purpose, and Chromium logs that status; nothing else.
    const refused = problems.filter((text) => text.includes('status of 422'));
    expect(refused).toHaveLength(1);
    expect(problems.filter((text) => !refused.includes(text))).toEqual([]);
  }, 300_000);

  it('adds list rows in place with htmx (focus in the new row, no reload), and by a plain post without JavaScript', async () => {
    problems.length = 0;
    await signIn(page);
    await page.goto(`${origin.url}/admin/jobs/new`);
    await page.getByLabel('Name', { exact: true }).fill('rows-in-place');
    await page.getByLabel('Function').selectOption('app.jobs.http:http_request');
    await page.locator('#arg-url').fill('https://example.com/rows');
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    const statusRows = page.locator('input[name^="kw.expected_status."]:not([type="checkbox"])');
    expect(await statusRows.count()).toBe(2); // the default [200] and the spare row
    await page.locator('#arg-expected_status-1').fill('201');

    // Keyboard only: Enter on "Add an item", type into the new row (it has the focus), Tab to the next button.
    await page.getByRole('button', { name: 'Add an item' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#arg-expected_status-2').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('arg-expected_status-2');
    await page.keyboard.type('204');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#arg-expected_status-3').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('arg-expected_status-3');
    await page.keyboard.type('202');
    await page.getByRole('button', { name: 'Add a row' }).first().click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('arg-headers-1-key');
    await page.keyboard.type('X-Two');
    await page.keyboard.press('Tab');
    await page.keyboard.type('b');
    expect(await statusRows.count()).toBe(4);
    expect(await page.locator('#arg-expected_status-1').inputValue()).toBe('201');
    expect(await page.evaluate(() => (window as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await screenshots('admin-args-rows-in-place');

    await page.getByLabel('Cron expression').fill('*/15 * * * *');
    await page.getByLabel('Cron expression').press('Enter');
    await page.waitForURL(/done=created/);
    const jobId = page.url().split('?')[0]!.split('/').at(-1)!;
    const token = (
      (await (
        await fetch(`${origin.url}/api/v1/auth/token`, { method: 'POST', body: new URLSearchParams(ADMIN) })
      ).json()) as { access_token: string }
    ).access_token;
    const job = (await (
      await fetch(`${origin.url}/api/v1/jobs/${jobId}`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { kwargs: Record<string, unknown> };
    expect(job.kwargs).toMatchObject({ expected_status: [200, 201, 204, 202], headers: { 'X-Two': 'b' } });
    expect(problems).toEqual([]);

    // Without JavaScript the same button posts the form, and the page comes back with one more row.
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 900 },
    });
    try {
      const plain = await noScript.newPage();
      await signIn(plain);
      await plain.goto(`${origin.url}/admin/jobs/${jobId}/edit`);
      const rows = plain.locator('input[name^="kw.expected_status."]:not([type="checkbox"])');
      expect(await rows.count()).toBe(5); // four items and the spare row
      await plain.locator('#arg-expected_status-4').fill('203');
      await Promise.all([
        plain.waitForEvent('load'),
        plain.getByRole('button', { name: 'Add an item' }).click(),
      ]);
      // The filled spare row is now an item; below it the spare row and the one asked for.
      expect(await rows.count()).toBe(7);
      expect(await plain.locator('#arg-expected_status-4').inputValue()).toBe('203');
    } finally {
      await noScript.close();
    }
  }, 300_000);
});
