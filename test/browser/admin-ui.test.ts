// The admin UI in headless Chromium against a real origin process (embedded PGlite, the scheduler running):
// log in, an invalid cron then a valid one with its preview, save, run now and watch the run finish, toggle,
// archive; a viewer sees no mutating controls. No request leaves 127.0.0.1, the console stays clean (so the
// strict CSP holds), and screenshots of every page at 1280 and 390 px go to test-results/screenshots/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BROWSER_WAIT_MS,
  chromiumMissing,
  launchChromium,
  screenshotWidths,
  watchedPage,
} from '../support/chromium.ts';
import { type RunningOrigin, startOrigin } from '../support/origin-process.ts';

const ADMIN = { username: 'admin', password: 'browser-admin-password-1' };
const VIEWER = { username: 'viewer', password: 'browser-viewer-password-1' };

describe.skipIf(chromiumMissing)('admin UI in Chromium', () => {
  let origin: RunningOrigin;
  let browser: Browser;
  const blocked: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    origin = await startOrigin({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await origin?.stop();
  });

  const newPage = () => watchedPage(browser, { blocked, problems });

  async function login(page: Page, user: { username: string; password: string }) {
    await page.goto(`${origin.url}/admin/jobs`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${origin.url}/admin/jobs`);
  }

  const screenshots = screenshotWidths;

  it('walks an operator through create, preview, run now, toggle and archive', async () => {
    const { context, page } = await newPage();
    await page.goto(`${origin.url}/admin/login`);
    expect(await page.evaluate(() => document.compatMode)).toBe('CSS1Compat');
    await screenshots(page, 'login');
    await login(page, ADMIN);

    await page.getByRole('link', { name: 'New job' }).click();
    await page.getByLabel('Name', { exact: true }).fill('browser-heartbeat');
    await page.getByLabel('Function').selectOption('app.jobs.heartbeat:hello_job');
    // The typed form for the function's arguments arrives by htmx.
    await page.locator('#arg-message').waitFor();
    await page.getByLabel('message', { exact: true }).fill('from the browser');
    await page.getByLabel('Timezone (IANA)').fill('Asia/Seoul');

    const cron = page.getByLabel('Cron expression');
    await cron.fill('61 * * * *');
    await expect.poll(() => page.locator('#cron-preview').textContent()).toContain('Invalid cron');
    await screenshots(page, 'job-form-invalid-cron');
    await cron.fill('0 9 * * 1-5');
    await expect.poll(() => page.locator('#cron-preview li').count()).toBe(5);
    expect(await page.locator('#cron-preview').textContent()).toContain('+09:00');
    await screenshots(page, 'job-form');

    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(/\/admin\/jobs\/[0-9a-f-]{36}\?done=created$/);
    expect(await page.getByRole('status').textContent()).toContain('Job created.');
    const jobUrl = page.url().split('?')[0]!;

    await page.getByRole('button', { name: 'Run now' }).click();
    await page.waitForURL(/done=run/);
    // The run rows poll themselves: the queued run is picked up by the scheduler and finishes.
    await page.locator('#run-rows tr[data-status="succeeded"]').waitFor({ timeout: BROWSER_WAIT_MS });
    await page.locator('#run-rows details summary').first().click();
    expect(await page.locator('#run-rows pre').first().textContent()).toContain('from the browser');
    await screenshots(page, 'job-page');

    await page.goto(`${origin.url}/admin/jobs`);
    // Live rows: a job created elsewhere (the API) shows up without a reload of this page.
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const token = await fetch(`${origin.url}/api/v1/auth/token`, {
      method: 'POST',
      body: new URLSearchParams(ADMIN),
    }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
    const api = (path: string, body: unknown) =>
      fetch(`${origin.url}/api/v1${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const other = await api('/jobs', {
      name: 'made-elsewhere',
      func: 'app.jobs.heartbeat:hello_job',
      cron: '0 0 1 1 *',
    });
    expect(other.status).toBe(201);
    await page.locator('tr[data-job-name="made-elsewhere"]').waitFor();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );

    const toggle = page.getByRole('switch', { name: 'Enabled: browser-heartbeat' });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.click();
    await expect
      .poll(() =>
        page.getByRole('switch', { name: 'Enabled: browser-heartbeat' }).getAttribute('aria-checked'),
      )
      .toBe('false');
    expect(new URL(page.url()).search).toBe(''); // switched in place, no redirect
    // Keyboard: the switch is a native button, so Enter operates it.
    await page.getByRole('switch', { name: 'Enabled: browser-heartbeat' }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() =>
        page.getByRole('switch', { name: 'Enabled: browser-heartbeat' }).getAttribute('aria-checked'),
      )
      .toBe('true');
    await page.getByLabel('Name contains').fill('heartbeat');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/q=heartbeat/);
    expect(await page.locator('#job-rows tr').count()).toBe(1);
    await screenshots(page, 'jobs-list');

    await page.goto(jobUrl);
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.waitForURL(/done=archived/);
    expect(await page.getByRole('button', { name: 'Unarchive' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Run now' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL(/\/admin\/audit/);
    expect(await page.locator('table.audit').textContent()).toContain('job.archive');
    await screenshots(page, 'audit');

    // A viewer for the next test, made through the API with the admin's token.
    expect((await api('/users', { ...VIEWER, role: 'viewer' })).status).toBe(201);
    await context.close();
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows a viewer no mutating controls', async () => {
    const { context, page } = await newPage();
    await login(page, VIEWER);
    expect(await page.locator('#job-rows tr').count()).toBeGreaterThan(0);
    expect(await page.getByRole('switch').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New job' }).count()).toBe(0);
    await page.getByLabel('Archived').selectOption('include');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: 'browser-heartbeat' }).click();
    await page.locator('#run-rows').waitFor();
    for (const name of ['Run now', 'Archive', 'Unarchive', 'Edit', 'Retry']) {
      expect(await page.getByRole('button', { name }).count(), name).toBe(0);
      expect(await page.getByRole('link', { name }).count(), name).toBe(0);
    }
    await context.close();
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
  });
});
