// Two origin processes on one real PostgreSQL, each with its page cache: a write through one replica is in the
// very next read from the other (the read waits for the change notification, it does not race it), and so is a
// run's progress written by the scheduler's side (here: straight into job_runs, as no API call makes it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../../src/db/client.ts';
import { migrateAppDatabase } from '../../../src/db/migrate.ts';
import { type RunningOrigin, startOrigin } from '../../support/origin-process.ts';
import { createTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';

const ADMIN = { username: 'cache-admin', password: 'Cache-Adm1n-Passw0rd' };

interface JobBody {
  id: string;
  name: string;
  description: string;
  version: number;
  last_run: { id: string; status: string } | null;
}

describe.skipIf(!realPostgresUrl())('page cache across two replicas', () => {
  let db: SqlClient;
  let a: RunningOrigin;
  let b: RunningOrigin;
  const tokens = new Map<RunningOrigin, string>();

  const call = async (origin: RunningOrigin, method: string, path: string, body?: unknown, headers = {}) => {
    const response = await fetch(`${origin.url}/api/v1${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens.get(origin)}`,
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, etag: response.headers.get('etag'), json: await response.json() };
  };

  beforeAll(async () => {
    const url = await createTestDatabase('page_cache');
    db = createPostgresClient({ url, label: 'page-cache-test', max: 2 });
    await migrateAppDatabase(db);
    const env = {
      DB_APP_URL: url,
      DB_LEGACY_URL: url,
      DB_POOL_MAX: '4',
      DB_LEGACY_POOL_MAX: '1',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      SCHEDULER_ENABLED: 'false',
    };
    [a, b] = await Promise.all([startOrigin(env), startOrigin(env)]);
    for (const origin of [a, b]) {
      const response = await fetch(`${origin.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      tokens.set(origin, ((await response.json()) as { access_token: string }).access_token);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
  });

  it('a write through one replica is in the next read from the other, every time', async () => {
    const created = await call(a, 'POST', '/jobs', {
      name: 'replicated',
      func: 'app.jobs.heartbeat:hello_job',
      cron: '0 0 1 1 *',
    });
    expect(created.status).toBe(201);
    const id = (created.json as JobBody).id;
    // B serves from its cache from now on: the same ETag twice, without a change in between.
    const first = await call(b, 'GET', '/jobs?page_size=100');
    expect((first.json as { items: JobBody[] }).items.map((job) => job.id)).toContain(id);
    expect((await call(b, 'GET', '/jobs?page_size=100')).etag).toBe(first.etag);
    expect(first.etag).toMatch(/^"[^"]+"$/);

    for (let round = 1; round <= 15; round++) {
      const [writer, reader] = round % 2 ? [a, b] : [b, a];
      await call(reader, 'GET', '/jobs?page_size=100');
      await call(reader, 'GET', `/jobs/${id}`);
      const current = (await call(writer, 'GET', `/jobs/${id}`)).json as JobBody;
      const description = `round ${round}`;
      const patched = await call(
        writer,
        'PATCH',
        `/jobs/${id}`,
        { description },
        { 'if-match': `"${current.version}"` },
      );
      expect(patched.status).toBe(200);
      const list = (await call(reader, 'GET', '/jobs?page_size=100')).json as { items: JobBody[] };
      expect(list.items.find((job) => job.id === id)?.description).toBe(description);
      const one = await call(reader, 'GET', `/jobs/${id}`);
      expect((one.json as JobBody).description).toBe(description);
      expect(one.etag).toBe(`"${current.version + 1}"`);
    }
  });

  it("a run's progress recorded outside the API is in the next read from both replicas", async () => {
    const created = await call(a, 'POST', '/jobs', {
      name: 'with-runs',
      func: 'app.jobs.heartbeat:hello_job',
      cron: '0 0 1 1 *',
    });
    const id = (created.json as JobBody).id;
    for (const origin of [a, b])
      expect(((await call(origin, 'GET', `/jobs/${id}`)).json as JobBody).last_run).toBeNull();
    const [run] = await db.query<{ id: string }>(
      `insert into job_runs (job_id, scheduled_for, trigger, status, started_at)
       values ($1, now(), 'schedule', 'running', now()) returning id`,
      [id],
    );
    for (const origin of [a, b]) {
      const job = (await call(origin, 'GET', `/jobs/${id}`)).json as JobBody;
      expect(job.last_run).toMatchObject({ id: run!.id, status: 'running' });
    }
    await db.query(
      `update job_runs set status = 'succeeded', finished_at = now(), duration_ms = 7 where id = $1`,
      [run!.id],
    );
    for (const origin of [b, a]) {
      const list = (await call(origin, 'GET', '/jobs?page_size=100')).json as { items: JobBody[] };
      expect(list.items.find((job) => job.id === id)?.last_run).toMatchObject({
        id: run!.id,
        status: 'succeeded',
      });
    }
  });

  it('a client holding the current page gets 304, and 200 with the new page after a change', async () => {
    const page = await call(b, 'GET', '/jobs');
    const held = await fetch(`${b.url}/api/v1/jobs`, {
      headers: { authorization: `Bearer ${tokens.get(b)}`, 'if-none-match': page.etag! },
    });
    expect(held.status).toBe(304);
    await db.query(`update scheduled_jobs set description = 'changed behind the API'`);
    const after = await fetch(`${b.url}/api/v1/jobs`, {
      headers: { authorization: `Bearer ${tokens.get(b)}`, 'if-none-match': page.etag! },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(page.etag);
    const body = (await after.json()) as { items: JobBody[] };
    expect(body.items.every((job) => job.description === 'changed behind the API')).toBe(true);
  });
});
