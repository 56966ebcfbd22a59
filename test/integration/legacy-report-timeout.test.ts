// A report's query ends on the server when its run ends: an aborted (timed-out) run cancels it, the
// statement timeout stops it even without the client, and it runs in a read-only transaction. On real
// PostgreSQL, with a query that blocks on a lock another session holds (it waits without using CPU and
// would wait forever), so every outcome below is decided by the code, never by a clock.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../src/db/client.ts';
import { createLegacyDatabase, type LegacyDatabase } from '../../src/db/legacy.ts';
import { LEGACY_DEMO_SCHEMA } from '../../src/db/legacy-demo.ts';
import { legacySqlReportJob } from '../../src/job-functions/builtin/legacy-report.ts';
import type { JobContext } from '../../src/job-functions/types.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';

const APPLICATION = 'legacy-report-timeout-test';
const POOL_MAX = 2;
const QUERY_CANCELED = '57014';

describe.skipIf(!realPostgresUrl())('legacy reports end on the server when the run ends', () => {
  let owner: postgres.Sql;
  let locker: postgres.ReservedSql;
  let raw: SqlClient;
  let legacy: LegacyDatabase;

  /** Backends of the legacy pool that are running a statement right now. */
  const activeReports = async () =>
    owner<{ pid: number; wait_event_type: string | null }[]>`
      select pid, wait_event_type from pg_stat_activity
      where application_name = ${APPLICATION} and state = 'active'`;

  /** Polls until the condition holds (the server's state, never a duration, decides the outcome). */
  const eventually = async <T>(read: () => Promise<T>, holds: (value: T) => boolean) => {
    for (let attempt = 0; attempt < 500; attempt++) {
      const value = await read();
      if (holds(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the condition never held');
  };

  const context = (signal: AbortSignal, timeoutMs: number): JobContext =>
    ({ signal, timeoutMs, legacyDb: legacy }) as unknown as JobContext;

  beforeAll(async () => {
    const url = await createTestDatabase('legacy_timeout');
    owner = postgres(url, { max: 2, onnotice: () => {} });
    for (const statement of LEGACY_DEMO_SCHEMA) await owner.unsafe(statement);
    await owner.unsafe("create view orders_bumped as select nextval('orders_id_seq') as next_id");
    raw = createPostgresClient({ url, label: 'legacy-timeout', max: POOL_MAX, applicationName: APPLICATION });
    legacy = await createLegacyDatabase(raw);
    // Holds a lock every report on orders waits for, until the end of the file.
    locker = await owner.reserve();
    await locker`begin`;
    await locker`lock table orders in access exclusive mode`;
  });
  afterAll(async () => {
    await locker?.unsafe('rollback').catch(() => {});
    locker?.release();
    await Promise.allSettled([raw?.close(), owner?.end()]);
  });

  it('cancels the query of every aborted run: no backend keeps it, and the pool is free afterwards', async () => {
    const runs = POOL_MAX * 3;
    for (let index = 0; index < runs; index++) {
      const controller = new AbortController();
      const run = legacySqlReportJob.run(context(controller.signal, 600_000), {
        query: 'select count(*) from orders',
        params: [],
        max_rows: 10,
      });
      const outcome = run.then(
        () => 'finished',
        (error: { code?: string }) => error.code ?? String(error),
      );
      // The query is on the server, waiting for the lock.
      await eventually(activeReports, (rows) => rows.some((row) => row.wait_event_type === 'Lock'));
      controller.abort(new Error('timed out after 2 s'));
      expect(await outcome).toBe(QUERY_CANCELED);
      await eventually(activeReports, (rows) => rows.length === 0);
    }
    expect(raw.poolStats().busy).toBe(0);
    // Every connection of the pool answers: none is stuck behind a cancelled report.
    const answers = await Promise.all(
      Array.from({ length: POOL_MAX * 2 }, () => legacy.query<{ one: number }>('select 1 as one')),
    );
    expect(answers.flat()).toEqual(Array.from({ length: POOL_MAX * 2 }, () => ({ one: 1 })));
  });

  it('refuses to start a report for a run that is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      legacy.report('select count(*) from orders', [], { timeoutMs: 600_000, signal: controller.signal }),
    ).rejects.toThrow('shutting down');
    expect(await activeReports()).toEqual([]);
  });

  it("stops the query on the server at the job's timeout, without the client (SET LOCAL statement_timeout)", async () => {
    const error = await legacySqlReportJob
      .run(context(new AbortController().signal, 300), {
        query: 'select count(*) from orders',
        params: [],
        max_rows: 10,
      })
      .catch((e: unknown) => e as { code?: string; message: string });
    expect(error).toMatchObject({
      code: QUERY_CANCELED,
      message: expect.stringMatching(/statement timeout/),
    });
    expect(await activeReports()).toEqual([]);
    // The timeout was local to the report's transaction, not left on the pooled connection.
    const settings = await Promise.all(
      Array.from({ length: POOL_MAX }, () =>
        raw.query<{ t: string }>("select current_setting('statement_timeout') as t"),
      ),
    );
    expect(settings.flat()).toEqual(Array.from({ length: POOL_MAX }, () => ({ t: '0' })));
  });

  it('runs in a read-only transaction: a view that writes (nextval) is refused by the server', async () => {
    const before = await owner`select last_value from orders_id_seq`;
    await expect(
      legacy.report('select * from orders_bumped', [], { timeoutMs: 10_000 }),
    ).rejects.toMatchObject({
      code: '25006',
      message: expect.stringMatching(/read-only transaction/),
    });
    expect(await owner`select last_value from orders_id_seq`).toEqual(before);
    // The same view through the legacy handle (INSERT/UPDATE allowed there) does advance the sequence.
    await legacy.query('select * from orders_bumped');
    expect(await owner`select last_value from orders_id_seq`).not.toEqual(before);
  });
});
