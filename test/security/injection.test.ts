// Injection, with the fuzz corpus's strings: job names and search filters reach PostgreSQL only as bound
// parameters (stored and matched literally, nothing else changes); the legacy report job treats them as
// data and its guard refuses any statement they could smuggle in; HTML renders them escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient, type SqlClient } from '../../src/db/client.ts';
import { createLegacyDatabase, type LegacyDatabase } from '../../src/db/legacy.ts';
import { LEGACY_DEMO_SCHEMA } from '../../src/db/legacy-demo.ts';
import { checkLegacyStatement, loadLegacyGuard } from '../../src/db/legacy-guard.ts';
import { legacySqlReportJob, readOnlyProblem } from '../../src/job-functions/builtin/legacy-report.ts';
import type { JobContext } from '../../src/job-functions/types.ts';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';
import { HTML_INJECTIONS, SQL_INJECTIONS } from './fuzz-corpus.ts';

const HOSTILE_NAMES = [...SQL_INJECTIONS, ...HTML_INJECTIONS];

describe('parameterised queries hold against the corpus (jobs API)', () => {
  let api: TestApi;
  let admin: string;
  beforeAll(async () => {
    api = await startTestApi({ RATE_LIMIT_ENABLED: 'false' });
    admin = await api.userToken('admin');
  });
  afterAll(() => api.close());

  const call = (method: string, path: string, body?: unknown) =>
    api.app.request(`${api.config.apiPrefix}${path}`, {
      method,
      headers: { ...bearer(admin), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('stores hostile job names literally and finds each by a search for itself only', async () => {
    const tables = async () =>
      api.deps.db.app.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public' order by 1`,
      );
    const tablesBefore = await tables();
    const users = await api.deps.db.app.query('select id, username, role from users order by id');
    for (const name of HOSTILE_NAMES) {
      const response = await call('POST', '/jobs', {
        name,
        func: 'app.jobs.heartbeat:hello_job',
        cron: '0 0 * * *',
        kwargs: { message: name },
        description: name,
      });
      expect(response.status, name).toBe(201);
      expect(((await response.json()) as { name: string }).name).toBe(name);
    }
    for (const name of HOSTILE_NAMES) {
      const found = await call('GET', `/jobs?q=${encodeURIComponent(name)}&archived=include`);
      expect(found.status, name).toBe(200);
      const items = ((await found.json()) as { items: { name: string }[] }).items.map((item) => item.name);
      // The filter is a literal substring match: the name itself, and only names that contain it.
      expect(items, name).toContain(name);
      for (const item of items) expect(item.toLowerCase(), name).toContain(name.toLowerCase());
      for (const filter of ['status', 'func']) {
        const exact = await call('GET', `/jobs?${filter}=${encodeURIComponent(name)}`);
        // Too long for the filter's schema is a 422; otherwise it matches nothing (no such status/func).
        expect([200, 422], `${filter}=${name}`).toContain(exact.status);
        if (exact.status === 200) expect(((await exact.json()) as { total: number }).total).toBe(0);
      }
    }
    // A wildcard typed by the user is a literal too, not "everything".
    const percent = await call('GET', `/jobs?q=${encodeURIComponent('%')}`);
    const percentNames = ((await percent.json()) as { items: { name: string }[] }).items.map((i) => i.name);
    for (const name of percentNames) expect(name).toContain('%');
    expect(await tables()).toEqual(tablesBefore);
    expect(await api.deps.db.app.query('select id, username, role from users order by id')).toEqual(users);
  });
});

describe('the legacy report job and guard hold against the corpus', () => {
  let raw: SqlClient;
  let legacy: LegacyDatabase;
  beforeAll(async () => {
    await loadLegacyGuard();
    raw = await createPgliteClient({ dataDir: undefined, label: 'legacy-injection' });
    for (const statement of LEGACY_DEMO_SCHEMA) await raw.query(statement);
    legacy = await createLegacyDatabase(raw);
  });
  afterAll(() => raw.close());

  const snapshot = async () => ({
    customers: await raw.query('select * from customers order by id'),
    orders: await raw.query('select * from orders order by id'),
  });
  const context = (): JobContext =>
    ({
      signal: new AbortController().signal,
      timeoutMs: 30_000,
      logger: { info() {}, warn() {}, error() {}, debug() {}, child: () => context().logger },
      legacyDb: legacy,
    }) as unknown as JobContext;

  it('passes hostile strings as parameters: they match nothing and change nothing', async () => {
    const before = await snapshot();
    for (const value of SQL_INJECTIONS) {
      const args = legacySqlReportJob.argsSchema.parse({
        query: 'select id, name from customers where name = $1 or email = $1',
        params: [value],
      });
      const output = (await legacySqlReportJob.run(context(), args)) as { row_count: number };
      expect(output.row_count, value).toBe(0);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses any statement an injection string would make if someone concatenated it into SQL', async () => {
    const before = await snapshot();
    for (const value of SQL_INJECTIONS) {
      const concatenated = `select id from customers where name = '${value}'`;
      const refusal = checkLegacyStatement(concatenated);
      if (refusal === undefined) {
        // Allowed only when the string merely changed a WHERE: still one read-only SELECT.
        expect(await readOnlyProblem(concatenated), value).toBeUndefined();
        continue;
      }
      // Stacked statements, DROP, DELETE, TRUNCATE, COPY and dollar-quoted blocks: the job refuses them
      // before anything reaches the database.
      const outcome = await legacySqlReportJob
        .run(context(), legacySqlReportJob.argsSchema.parse({ query: concatenated }))
        .then(
          () => 'ran',
          () => 'refused',
        );
      expect(outcome, value).toBe('refused');
    }
    // Every string that closes the quote and stacks a destructive statement is refused by the guard itself.
    const breakouts = SQL_INJECTIONS.filter((v) => v.includes("'") && /drop|delete|truncate|copy/i.test(v));
    expect(breakouts.length).toBeGreaterThanOrEqual(3);
    for (const value of breakouts) {
      expect(checkLegacyStatement(`select id from customers where name = '${value}'`), value).toBeDefined();
    }
    expect(await snapshot()).toEqual(before);
  });
});
