// The page cache answers from memory only while nothing it serves has changed: every committed write to
// scheduled_jobs or to what a job shows of its last run (whoever makes it) drops the pages; lease renewals do not.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeFeed, createChangeFeed } from '../../../src/db/change-feed.ts';
import { createPgliteClient, type SqlClient } from '../../../src/db/client.ts';
import { migrateAppDatabase } from '../../../src/db/migrate.ts';
import { createJobsService, type JobsService } from '../../../src/features/jobs/jobs.service.ts';
import { createPageCache, type PageCache } from '../../../src/http/page-cache.ts';
import { createJobRegistry } from '../../../src/job-functions/registry.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';

let db: SqlClient;
let feed: ChangeFeed;
let pages: PageCache;
let jobs: JobsService;
let builds = 0;
let runId: string;
let jobId: string;

const list = () =>
  pages.get('jobs', async () => {
    builds++;
    return jobs.listJobs({});
  });
const items = async () =>
  (JSON.parse((await list()).body.toString()) as Awaited<ReturnType<JobsService['listJobs']>>).items;

beforeAll(async () => {
  db = await createPgliteClient({ dataDir: undefined, label: 'pglite:page-cache' });
  await migrateAppDatabase(db);
  jobs = createJobsService({
    db,
    registry: createJobRegistry(),
    secrets: createSecretBox({ currentKeyId: undefined, keys: new Map() }),
  });
  const job = await jobs.createJob(
    { name: 'cached', func: 'app.jobs.heartbeat:hello_job', cron: '0 0 1 1 *' },
    { subject: 'test' },
  );
  jobId = job.id;
  const [run] = await db.query<{ id: string }>(
    `insert into job_runs (job_id, scheduled_for, trigger, status) values ($1, now(), 'schedule', 'running')
     returning id`,
    [jobId],
  );
  runId = run!.id;
  feed = await createChangeFeed(db, createLogger({ level: 'silent' }));
  pages = createPageCache(feed);
}, 180_000);

afterAll(async () => {
  await pages?.close();
  await db?.close();
});

describe('page cache over the change feed', () => {
  it('answers repeated reads from one build, with one ETag', async () => {
    const before = builds;
    const first = await list();
    const again = await list();
    expect(builds - before).toBe(1);
    expect(again.etag).toBe(first.etag);
    expect(again.body).toBe(first.body);
  });

  it('concurrent misses share one build', async () => {
    feed.changed();
    const before = builds;
    const answers = await Promise.all(Array.from({ length: 20 }, () => list()));
    expect(builds - before).toBe(1);
    expect(new Set(answers.map((page) => page.etag)).size).toBe(1);
  });

  it('a job edited in SQL (no API, no service) shows on the next read', async () => {
    await list();
    await db.query(`update scheduled_jobs set description = 'edited in psql' where id = $1`, [jobId]);
    expect((await items())[0]!.description).toBe('edited in psql');
  });

  it('a run finishing (as the scheduler records it) shows as the last run on the next read', async () => {
    expect((await items())[0]!.last_run).toMatchObject({ id: runId, status: 'running' });
    await db.query(
      `update job_runs set status = 'succeeded', finished_at = now(), duration_ms = 5 where id = $1`,
      [runId],
    );
    expect((await items())[0]!.last_run).toMatchObject({ id: runId, status: 'succeeded', duration_ms: 5 });
  });

  it('a lease renewal changes nothing a job shows and keeps the page', async () => {
    const page = await list();
    const before = builds;
    await db.query(`update job_runs set heartbeat_at = now(), lease_expires_at = now() where id = $1`, [
      runId,
    ]);
    expect((await list()).etag).toBe(page.etag);
    expect(builds).toBe(before);
  });

  it('once the feed is closed, every read is built from the database and nothing is kept', async () => {
    const closed = createPageCache(await createChangeFeed(db, createLogger({ level: 'silent' })));
    await closed.close();
    let built = 0;
    const read = () =>
      closed.get('k', async () => {
        built++;
        return { n: built };
      });
    expect(JSON.parse((await read()).body.toString())).toEqual({ n: 1 });
    expect(JSON.parse((await read()).body.toString())).toEqual({ n: 2 });
  });
});
