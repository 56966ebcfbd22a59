// The dashboard and the job page's run strip over app.request against a migrated PGlite with runs written
// straight into job_runs: the numbers per hour land in the right UTC hour, the slowest and most-failing jobs
// are ranked, the next fires are listed, and every chart says in words what it shows. Also the bare origin's
// `/` and `/favicon.ico`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDashboard } from '../../src/features/dashboard/dashboard.service.ts';
import { type AdminClient, startAdminUi } from '../support/admin-session.ts';
import { bearer, type TestApi } from '../support/api-app.ts';

const HOUR = 3_600_000;

describe('dashboard and run strip (in process)', () => {
  let api: TestApi;
  let admin: AdminClient;
  const now = new Date();
  const ids: Record<string, string> = {};

  async function createJob(name: string, cron: string) {
    const token = await api.userToken('admin');
    const response = await api.app.request(`${api.config.apiPrefix}/jobs`, {
      method: 'POST',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, func: 'app.jobs.heartbeat:hello_job', cron, enabled: true }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  /** A finished run that started `hoursAgo` hours ago (scheduled `lateMs` before it started). */
  async function run(job: string, hoursAgo: number, status: string, durationMs: number, lateMs = 0) {
    const started = new Date(now.getTime() - hoursAgo * HOUR);
    await api.deps.db.app.query(
      `insert into job_runs (job_id, scheduled_for, trigger, status, started_at, finished_at, duration_ms, error)
       values ($1, $2, 'schedule', $3, $4, $5, $6, $7)`,
      [
        ids[job],
        new Date(started.getTime() - lateMs).toISOString(),
        status,
        started.toISOString(),
        new Date(started.getTime() + durationMs).toISOString(),
        durationMs,
        status === 'succeeded' ? null : JSON.stringify({ message: `dash-${job} broke` }),
      ],
    );
  }

  beforeAll(async () => {
    ({ api, admin } = await startAdminUi());
    ids.fast = await createJob('dash-fast', '*/5 * * * *');
    ids.slow = await createJob('dash-slow', '0 * * * *');
    ids.flaky = await createJob('dash-flaky', '30 2 * * *');
    await run('fast', 0.01, 'succeeded', 40);
    await run('fast', 1.01, 'succeeded', 60);
    await run('slow', 1.02, 'succeeded', 9_000, 5 * 60_000);
    await run('slow', 2.01, 'succeeded', 12_000);
    await run('flaky', 2.02, 'failed', 300);
    await run('flaky', 3.5, 'failed', 200); // 1.48 h after the one above: never in its UTC hour
    await run('flaky', 3.51, 'succeeded', 100);
    await run('fast', 30, 'failed', 10); // older than 24 h: not counted
  });
  afterAll(async () => {
    await api?.close();
  });

  it('counts runs per UTC hour by status over the last 24 hours', async () => {
    const dashboard = await loadDashboard(api.deps.db.app, now);
    expect(dashboard.hours).toHaveLength(24);
    const hourOf = (hoursAgo: number) => {
      const start = Math.floor((now.getTime() - hoursAgo * HOUR) / HOUR) * HOUR;
      return dashboard.hours.find((hour) => hour.hour === new Date(start).toISOString())!.counts;
    };
    expect(hourOf(0.01)).toEqual({ succeeded: 1 });
    expect(hourOf(3.5).failed).toBe(1);
    const total = dashboard.hours.reduce(
      (sum, hour) => sum + Object.values(hour.counts).reduce((a, b) => a + b, 0),
      0,
    );
    expect(total).toBe(7);
    expect(dashboard.slowest.map((job) => job.name)).toEqual(['dash-slow', 'dash-flaky', 'dash-fast']);
    expect(dashboard.slowest[0]).toMatchObject({ runs: 2, max_ms: 12_000 });
    expect(dashboard.failing).toEqual([
      { job_id: ids.flaky, name: 'dash-flaky', runs: 3, failures: 2, last_error: 'dash-flaky broke' },
    ]);
    expect(dashboard.nextFires.map((fire) => fire.name)).toContain('dash-fast');
    expect(
      dashboard.nextFires.every((fire) => Date.parse(fire.next_run_at) < now.getTime() + 24 * HOUR),
    ).toBe(true);
  });

  it('renders the dashboard as SVG with words for each chart', async () => {
    const response = await admin.get('/admin/dashboard');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="per-hour-title per-hour-desc"/);
    expect(html).toMatch(
      /<desc id="per-hour-desc">7 runs in 24 hours: 5 succeeded, 2 failed, timed out or dead\. Busiest hour /,
    );
    expect(html).not.toContain('dash-fast broke'); // the old failure is outside the window
    expect(html).toContain('dash-flaky broke');
    expect(html).toMatch(/2 \/ 3 \(67%\)/);
    expect(html).not.toMatch(/<script(?! src="\/admin\/assets\/htmx)/);
    expect(html).not.toMatch(/ style="/);
  });

  it('draws the last runs of a job as a strip, marking the late one', async () => {
    const html = await (await admin.get(`/admin/jobs/${ids.slow}`)).text();
    expect(html).toMatch(/<title id="run-strip-title">Last 2 runs of dash-slow<\/title>/);
    expect(html).toMatch(
      /<desc id="run-strip-desc">2 succeeded; longest 12\.0 s; 1 started late \(over a minute after the tick\)\.<\/desc>/,
    );
    expect(html.match(/<rect class="late"/g)).toHaveLength(1);
    expect(html).toContain('started 5 min 0 s late');
    const none = await (await admin.get(`/admin/jobs/${await createJob('dash-new', '0 0 1 1 *')}`)).text();
    expect(none).toContain('No runs yet');
  });

  it('sends the bare origin to the admin UI and answers the favicon', async () => {
    const root = await api.app.request('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/admin');
    const icon = await api.app.request('/favicon.ico');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await icon.arrayBuffer()).slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    const svg = await api.app.request('/admin/assets/icon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
  });
});
