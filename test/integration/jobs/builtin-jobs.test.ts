// The built-in job functions, called with a real context: PGlite app and legacy DBs, a real volume,
// and a local HTTP server on 127.0.0.1 (the private-address allowance switched on only where stated).
import { utimesSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/index.ts';
import { createPgliteClient, type SqlClient } from '../../../src/db/client.ts';
import { createLegacyDatabase, type LegacyDatabase } from '../../../src/db/legacy.ts';
import { ensureLegacyDemoSchema } from '../../../src/db/legacy-demo.ts';
import { createLocalFileStore } from '../../../src/features/files/file-store.ts';
import { filesCleanupJob } from '../../../src/job-functions/builtin/files-cleanup.ts';
import { helloJob } from '../../../src/job-functions/builtin/heartbeat.ts';
import { httpRequestJob, isPrivateAddress } from '../../../src/job-functions/builtin/http-request.ts';
import { legacySqlReportJob, readOnlyProblem } from '../../../src/job-functions/builtin/legacy-report.ts';
import { pruneRunsJob } from '../../../src/job-functions/builtin/prune-runs.ts';
import { createJobRegistry } from '../../../src/job-functions/registry.ts';
import type { JobContext, JobFunction } from '../../../src/job-functions/types.ts';
import { createMemoryStore } from '../../../src/kv/memory.ts';
import {
  createMigratedPglite,
  insertJob,
  silentLogger,
  testConfig,
} from '../../support/scheduler-harness.ts';

let appDb: SqlClient;
let legacyDb: LegacyDatabase;
let server: Server;
let baseUrl: string;

function contextFor(config: Config, signal = new AbortController().signal): JobContext {
  return {
    signal,
    timeoutMs: 30_000,
    logger: silentLogger(),
    appDb,
    legacyDb,
    kv: createMemoryStore(),
    files: createLocalFileStore(config.files.baseDir),
    config,
    runId: '00000000-0000-4000-8000-000000000001',
    jobId: '00000000-0000-4000-8000-000000000002',
    jobName: 'test',
    scheduledFor: new Date('2026-01-01T00:00:00Z'),
    attempt: 1,
  };
}

async function run<F extends JobFunction>(fn: F, ctx: JobContext, args: unknown) {
  return fn.run(ctx, fn.argsSchema.parse(args));
}

beforeAll(async () => {
  appDb = await createMigratedPglite();
  const legacyClient = await createPgliteClient({ dataDir: undefined, label: 'legacy' });
  await ensureLegacyDemoSchema(legacyClient);
  legacyDb = await createLegacyDatabase(legacyClient);
  server = createServer((req, res) => {
    if (req.url === '/teapot') {
      res.writeHead(418).end('short and stout');
      return;
    }
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] ?? null }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await Promise.all([appDb.close(), legacyDb.close()]);
});

describe('built-in job functions', () => {
  it('registers the five built-ins under module:function keys, each with a JSON Schema', () => {
    const registry = createJobRegistry();
    expect(registry.list().map((fn) => fn.key)).toEqual([
      'app.jobs.files:cleanup_files',
      'app.jobs.heartbeat:hello_job',
      'app.jobs.http:http_request',
      'app.jobs.legacy:sql_report',
      'app.jobs.maintenance:prune_runs',
    ]);
    expect(registry.validateArgs('app.jobs.heartbeat:hello_job', ['x'], {})).toMatchObject({ ok: false });
    expect(registry.validateArgs('app.jobs.heartbeat:hello_job', [], { extra: 1 })).toMatchObject({
      ok: false,
    });
  });

  it('hello_job returns its message and honours cancellation while it sleeps', async () => {
    const ctx = contextFor(testConfig());
    expect(await run(helloJob, ctx, { message: 'hey' })).toMatchObject({ message: 'hey', attempt: 1 });
    const controller = new AbortController();
    const sleeping = run(helloJob, contextFor(testConfig(), controller.signal), { sleep_ms: 60_000 });
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
  });

  describe('http_request', () => {
    it('refuses loopback and private addresses unless the config allows them', async () => {
      await expect(run(httpRequestJob, contextFor(testConfig()), { url: `${baseUrl}/x` })).rejects.toThrow(
        /private or loopback address/,
      );
      for (const address of [
        '127.0.0.1',
        '10.1.2.3',
        '192.168.0.1',
        '169.254.169.254',
        '::1',
        '::ffff:10.0.0.1',
      ]) {
        expect(isPrivateAddress(address)).toBe(true);
      }
      expect(isPrivateAddress('93.184.216.34')).toBe(false);
    });

    it('sends the request when allowed and checks the expected status', async () => {
      const ctx = contextFor(testConfig({ JOBS_HTTP_ALLOW_PRIVATE: 'true' }));
      const output = (await run(httpRequestJob, ctx, {
        method: 'POST',
        url: `${baseUrl}/echo`,
        body: { hello: 'world' },
      })) as { status: number; body_preview: string };
      expect(output.status).toBe(200);
      expect(JSON.parse(output.body_preview)).toEqual({
        method: 'POST',
        body: '{"hello":"world"}',
        type: 'application/json',
      });
      await expect(run(httpRequestJob, ctx, { url: `${baseUrl}/teapot` })).rejects.toThrow(
        'unexpected status 418 (expected 200)',
      );
      expect(
        await run(httpRequestJob, ctx, { url: `${baseUrl}/teapot`, expected_status: [418] }),
      ).toMatchObject({
        status: 418,
        body_preview: 'short and stout',
      });
    });
  });

  describe('sql_report', () => {
    it('runs one SELECT on the legacy DB and keeps a bounded summary', async () => {
      const output = (await run(legacySqlReportJob, contextFor(testConfig()), {
        query: 'select status, count(*)::int as n from orders group by status order by status;',
        max_rows: 2,
      })) as { row_count: number; truncated: boolean; columns: string[]; rows: unknown[] };
      expect(output).toEqual({
        row_count: 2,
        truncated: true,
        columns: ['status', 'n'],
        rows: [
          { status: 'cancelled', n: 1 },
          { status: 'new', n: 1 },
        ],
      });
    });

    it('refuses anything that is not a plain read', async () => {
      expect(await readOnlyProblem('update orders set status = $1')).toMatch(/a report runs one SELECT only/);
      expect(
        await readOnlyProblem('with x as (update orders set status = 1 returning *) select * from x'),
      ).toMatch(/WITH query that modifies data/);
      expect(await readOnlyProblem('select * from orders for update')).toMatch(/may not lock/);
      expect(await readOnlyProblem("select nextval('orders_id_seq')")).toMatch(/nextval\(\) is not allowed/);
      expect(await readOnlyProblem('select 1; select 2')).toBe('send one statement at a time');
      await expect(
        run(legacySqlReportJob, contextFor(testConfig()), { query: 'delete from orders' }),
      ).rejects.toThrow('DELETE is not allowed on the legacy database (a report runs one SELECT only)');
    });
  });

  it('cleanup_files reports in dry-run mode, then removes only old uploads and marks their rows deleted', async () => {
    const config = testConfig();
    const ctx = contextFor(config);
    const upload = async (content: string, daysOld: number) => {
      const { key, size } = await ctx.files.put([Buffer.from(content)]);
      await appDb.query(
        `insert into files (id, name, content_type, size, sha256, storage_key, uploaded_by)
         values (gen_random_uuid(), $1, 'text/plain', $2, repeat('0', 64), $3, 'test')`,
        [`${content}.txt`, size, key],
      );
      const when = new Date(Date.now() - daysOld * 86_400_000);
      utimesSync(join(config.files.baseDir, 'objects', key), when, when);
      return key;
    };
    const old = await upload('old', 10);
    const fresh = await upload('fresh', 1);
    expect(await run(filesCleanupJob, ctx, { older_than_days: 7 })).toMatchObject({
      dry_run: true,
      scanned: 2,
      matched: 1,
      keys: [old],
    });
    expect((await ctx.files.list()).map((object) => object.key).sort()).toEqual([fresh, old].sort());

    // only_soft_deleted: the old upload was never deleted through the API, so nothing matches.
    expect(
      await run(filesCleanupJob, ctx, { older_than_days: 7, dry_run: false, only_soft_deleted: true }),
    ).toMatchObject({ matched: 0 });

    expect(await run(filesCleanupJob, ctx, { older_than_days: 7, dry_run: false })).toMatchObject({
      matched: 1,
    });
    expect((await ctx.files.list()).map((object) => object.key)).toEqual([fresh]);
    const rows = await appDb.query<{ storage_key: string; deleted_by: string | null }>(
      'select storage_key, deleted_by from files where storage_key = any($1::text[])',
      [[old, fresh]],
    );
    expect(Object.fromEntries(rows.map((row) => [row.storage_key, row.deleted_by]))).toEqual({
      [old]: 'job:cleanup_files',
      [fresh]: null,
    });
  });

  it('prune_runs deletes finished runs past retention, keeping the newest per job', async () => {
    const jobId = await insertJob(appDb);
    await appDb.query(
      `insert into job_runs (job_id, scheduled_for, trigger, status, created_at)
       select $1, now() - make_interval(days => g), 'schedule', 'succeeded', now() - make_interval(days => g)
       from generate_series(1, 40) g`,
      [jobId],
    );
    const ctx = contextFor(testConfig());
    expect(
      await run(pruneRunsJob, ctx, { retention_days: 30, keep_per_job: 5, dry_run: true }),
    ).toMatchObject({
      matched: 11,
    });
    expect(await run(pruneRunsJob, ctx, { retention_days: 30, keep_per_job: 5 })).toMatchObject({
      deleted: 11,
    });
    const [left] = await appDb.query<{ n: number }>(
      'select count(*)::int as n from job_runs where job_id = $1',
      [jobId],
    );
    expect(left!.n).toBe(29);
  });
});
