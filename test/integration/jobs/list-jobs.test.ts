// The jobs list is one statement per page (jobs, each job's last run, and the total), whatever the page size.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../../src/db/client.ts';
import { createJobsService } from '../../../src/features/jobs/jobs.service.ts';
import { createJobRegistry } from '../../../src/job-functions/registry.ts';
import { createSecretBox } from '../../../src/secrets/secret-box.ts';
import { createMigratedPglite } from '../../support/scheduler-harness.ts';

let db: SqlClient;
const statements: string[] = [];

beforeAll(async () => {
  db = await createMigratedPglite();
  await db.query(
    `insert into scheduled_jobs (name, func, cron, enabled, status)
     select 'job-' || lpad(g::text, 3, '0'), 'app.jobs.heartbeat:hello_job', '0 0 1 1 *', g % 2 = 0, 'idle'
     from generate_series(1, 30) as g`,
  );
  // Two runs for every job: the list must carry the newer one.
  await db.query(
    `insert into job_runs (job_id, scheduled_for, trigger, status, created_at)
     select id, now(), 'manual', s, now() - (case s when 'failed' then interval '1 minute' else interval '0' end)
     from scheduled_jobs, unnest(array['failed', 'succeeded']) as s`,
  );
});

afterAll(async () => {
  await db?.close();
});

function counting(client: SqlClient): SqlClient {
  return {
    ...client,
    query: (text, params) => {
      statements.push(text);
      return client.query(text, params);
    },
  };
}

describe('listJobs', () => {
  it('answers a page with its total and every last run in one statement', async () => {
    const service = createJobsService({
      db: counting(db),
      registry: createJobRegistry(),
      secrets: createSecretBox({ currentKeyId: undefined, keys: new Map() }),
    });
    statements.length = 0;
    const page = await service.listJobs({ page: 1, page_size: 25 });
    expect(statements).toHaveLength(1);
    expect(page.total).toBe(30);
    expect(page.items).toHaveLength(25);
    expect(page.items.every((job) => job.last_run?.status === 'succeeded')).toBe(true);
    expect(page.items[0]!.name).toBe('job-001');
  });

  it('filters the total with the page, and still knows the total past the last page', async () => {
    const service = createJobsService({
      db,
      registry: createJobRegistry(),
      secrets: createSecretBox({ currentKeyId: undefined, keys: new Map() }),
    });
    const enabled = await service.listJobs({ enabled: true, page_size: 10 });
    expect(enabled.total).toBe(15);
    expect(enabled.items.every((job) => job.enabled)).toBe(true);
    const past = await service.listJobs({ enabled: true, page: 9, page_size: 10 });
    expect(past.items).toEqual([]);
    expect(past.total).toBe(15);
    const none = await service.listJobs({ q: 'no-such-job' });
    expect(none).toMatchObject({ items: [], total: 0 });
  });
});
