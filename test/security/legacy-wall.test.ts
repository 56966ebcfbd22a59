// The legacy wall against test/security/legacy-corpus.ts on real PostgreSQL:
// (a) the guard alone holds on a SUPERUSER connection (nothing reaches the server, nothing changes);
// (b) the least-privilege role alone (docs/db/legacy_role.sql, no guard in between) makes the server refuse
//     every write it must;
// and the legitimate corpus passes the guard and runs, as reports and as writes, through that role.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient, type SqlClient } from '../../src/db/client.ts';
import { createLegacyDatabase, type LegacyDatabase } from '../../src/db/legacy.ts';
import { LEGACY_DEMO_SCHEMA } from '../../src/db/legacy-demo.ts';
import { checkLegacyStatement, LegacyStatementRefused, loadLegacyGuard } from '../../src/db/legacy-guard.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';
import {
  LEGACY_ATTACKS,
  LEGACY_LEGITIMATE_READS,
  LEGACY_LEGITIMATE_WRITES,
  LEGACY_REPORT_ATTACKS,
} from './legacy-corpus.ts';

const ROLE_SQL = readFileSync(new URL('../../docs/db/legacy_role.sql', import.meta.url), 'utf8');

describe('the legacy guard on its own (parser level)', () => {
  beforeAll(loadLegacyGuard);

  it('has a corpus of several hundred disguises', () => {
    expect(LEGACY_ATTACKS.length).toBeGreaterThanOrEqual(200);
    expect(new Set(LEGACY_ATTACKS.map((attack) => attack.sql)).size).toBe(LEGACY_ATTACKS.length);
  });

  it('refuses every disguise, on the legacy handle and as a report, with a reason', () => {
    const passed = LEGACY_ATTACKS.filter(
      (attack) => !checkLegacyStatement(attack.sql) || !checkLegacyStatement(attack.sql, { mode: 'read' }),
    ).map((attack) => attack.what);
    expect(passed).toEqual([]);
  });

  it('refuses writes, locks and sequence calls in a report that the legacy handle allows', () => {
    for (const sql of LEGACY_REPORT_ATTACKS) {
      expect(checkLegacyStatement(sql, { mode: 'read' }), sql).toMatch(/.+/);
    }
    expect(checkLegacyStatement('select * from customers for update')).toBeUndefined();
    expect(checkLegacyStatement("select nextval('orders_id_seq')")).toBeUndefined();
  });

  it('lets the legitimate corpus through', () => {
    for (const entry of LEGACY_LEGITIMATE_READS) {
      const sql = typeof entry === 'string' ? entry : entry[0];
      expect(checkLegacyStatement(sql, { mode: 'read' }), sql).toBeUndefined();
    }
    for (const sql of LEGACY_LEGITIMATE_WRITES) expect(checkLegacyStatement(sql), sql).toBeUndefined();
  });

  it('names what it refuses', () => {
    expect(checkLegacyStatement("select ('x'::text).dblink_exec")).toMatch(/\.dblink_exec .*dblink_exec\(\)/);
    expect(checkLegacyStatement('update "pg_class" set relname = relname')).toMatch(
      /pg_class names a system catalog/,
    );
    expect(checkLegacyStatement('update pg_catalog.pg_class set relname = relname')).toMatch(
      /pg_catalog\.pg_class is in a system schema/,
    );
    expect(checkLegacyStatement('select 1 operator(public.=) 1')).toMatch(/operator public\.=/);
    expect(checkLegacyStatement("select 'x'::evil_type")).toMatch(/type evil_type/);
    expect(checkLegacyStatement('select * from customers tablesample system_rows (1)')).toMatch(
      /system_rows/,
    );
    expect(checkLegacyStatement('select evil.purge()')).toMatch(/evil\.purge\(\)/);
    expect(checkLegacyStatement('truncate orders')).toBe(
      'TRUNCATE is not allowed on the legacy database (only SELECT, INSERT and UPDATE)',
    );
    expect(checkLegacyStatement('update orders set status = 1', { mode: 'read' })).toBe(
      'UPDATE is not allowed on the legacy database (a report runs one SELECT only)',
    );
  });
});

describe.skipIf(!realPostgresUrl())('the legacy wall on real PostgreSQL', () => {
  let url: string;
  let roleUrl: string;
  /** The test server's superuser, which also owns every table: the worst legacy connection there is. */
  let owner: postgres.Sql;
  let sentinel: postgres.Sql;
  let sentinelPid: number;

  /** Everything an attack could change: tables, rows, sequences, large objects, roles, functions, sessions. */
  const snapshot = async () => {
    const [state] = await owner.unsafe(`select
      (select string_agg(c.relname || ':' || c.relkind::text, ',' order by c.relname) from pg_class c
        where c.relnamespace = 'public'::regnamespace) as relations,
      (select string_agg(attname, ',' order by attrelid, attnum) from pg_attribute
        where attrelid in ('customers'::regclass, 'orders'::regclass) and attnum > 0 and not attisdropped) as columns,
      (select md5(string_agg(c::text, '|' order by id)) from customers c) as customers,
      (select md5(string_agg(o::text, '|' order by id)) from orders o) as orders,
      (select last_value from orders_id_seq) as orders_seq,
      (select last_value from customers_id_seq) as customers_seq,
      (select count(*) from pg_largeobject_metadata)::int as large_objects,
      (select md5(string_agg(encode(data, 'hex'), '' order by loid, pageno)) from pg_largeobject) as large_object_data,
      (select string_agg(rolname || ':' || rolsuper::text, ',' order by rolname) from pg_roles) as roles,
      (select count(*) from pg_proc where pronamespace <> 'pg_catalog'::regnamespace)::int as functions,
      (select count(*) from pg_trigger)::int as triggers,
      (select count(*) from pg_stat_activity where pid = ${sentinelPid})::int as sentinel_alive`);
    return state;
  };

  beforeAll(async () => {
    url = await createTestDatabase('legacy_wall');
    owner = postgres(url, { max: 1, onnotice: () => {} });
    for (const statement of LEGACY_DEMO_SCHEMA) await owner.unsafe(statement);
    await owner.unsafe('create extension if not exists dblink');
    await owner.unsafe("select lo_from_bytea(0, 'keep me')");
    await owner.unsafe(ROLE_SQL);
    const asRole = new URL(url);
    asRole.username = 'app_legacy';
    roleUrl = asRole.toString();
    sentinel = postgres(url, { max: 1, onnotice: () => {} });
    [{ pid: sentinelPid }] = (await sentinel`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
  });
  afterAll(async () => {
    await Promise.allSettled([owner?.end(), sentinel?.end()]);
  });

  it('the corpus has teeth: the reported attack deletes rows when nothing guards a superuser connection', async () => {
    const victimUrl = await createTestDatabase('legacy_victim');
    const victim = postgres(victimUrl, { max: 1, onnotice: () => {} });
    try {
      for (const statement of LEGACY_DEMO_SCHEMA) await victim.unsafe(statement);
      await victim.unsafe('create extension dblink');
      const target = new URL(victimUrl);
      const conninfo = `host=${target.hostname} port=${target.port} dbname=${target.pathname.slice(1)} user=${decodeURIComponent(target.username)}`;
      await victim.unsafe(
        `select ('${conninfo}'::text).dblink_connect as c, ('delete from orders'::text).dblink_exec as d`,
      );
      expect(await victim`select count(*)::int as n from orders`).toEqual([{ n: 0 }]);
    } finally {
      await victim.end();
    }
  });

  describe('(a) the guard alone, on a superuser connection that owns every table', () => {
    let raw: SqlClient;
    let legacy: LegacyDatabase;
    let sent = 0;

    beforeAll(async () => {
      raw = createPostgresClient({ url, label: 'legacy-wall-owner', max: 2 });
      const counted: SqlClient = {
        ...raw,
        query: (text, params, options) => {
          sent++;
          return raw.query(text, params, options);
        },
        transaction: (fn, options) =>
          raw.transaction(
            (tx) =>
              fn({
                query: (text, params, queryOptions) => {
                  sent++;
                  return tx.query(text, params, queryOptions);
                },
              }),
            options,
          ),
      };
      legacy = await createLegacyDatabase(counted);
      // Loads the parser and the database's names (one catalog read).
      await legacy.query('select 1');
    });
    afterAll(() => raw?.close());

    it('refuses every disguise before it is sent, and nothing changes', async () => {
      const before = await snapshot();
      expect(before).toMatchObject({ large_objects: 1, sentinel_alive: 1 });
      const sentBefore = sent;
      const through: string[] = [];
      for (const attack of LEGACY_ATTACKS) {
        for (const attempt of [
          () => legacy.query(attack.sql),
          () => legacy.report(attack.sql, [], { timeoutMs: 5000 }),
          () => legacy.transaction((tx) => tx.query(attack.sql)),
        ]) {
          const error = await attempt().then(
            () => undefined,
            (e: unknown) => e,
          );
          if (!(error instanceof LegacyStatementRefused)) through.push(`${attack.what}: ${String(error)}`);
        }
      }
      for (const sql of LEGACY_REPORT_ATTACKS) {
        const error = await legacy.report(sql, [], { timeoutMs: 5000 }).catch((e: unknown) => e);
        if (!(error instanceof LegacyStatementRefused)) through.push(`report: ${sql}`);
      }
      expect(through).toEqual([]);
      // None of the attacks reached the server (legacy.transaction's BEGIN/ROLLBACK are the driver's).
      expect(sent).toBe(sentBefore);
      expect(await snapshot()).toEqual(before);
    });

    it('knows the functions the connected database adds (dblink) and the names that shadow built-ins', async () => {
      await owner.unsafe(
        "create or replace function public.upper(customers) returns text language sql as 'select 1::text'",
      );
      try {
        const fresh = await createLegacyDatabase(raw);
        await expect(fresh.query('select upper(c) from customers c')).rejects.toThrow(
          /upper\(\) also exists in schema public/,
        );
        await expect(fresh.query('select c.upper from customers c')).rejects.toThrow(
          /\.upper can call a function/,
        );
        expect(await fresh.query('select pg_catalog.upper(name) as u from customers where id = 1')).toEqual([
          { u: 'KIM MINJI' },
        ]);
      } finally {
        await owner.unsafe('drop function public.upper(customers)');
      }
    });
  });

  describe('(b) the least-privilege role alone, with no guard in between', () => {
    let asRole: postgres.Sql;
    beforeAll(() => {
      asRole = postgres(roleUrl, { max: 1, onnotice: () => {} });
    });
    afterAll(() => asRole?.end());

    it('makes the server refuse every write, DDL, catalog, file and other-session attack', async () => {
      const before = await snapshot();
      const refusedByRole = LEGACY_ATTACKS.filter((attack) => attack.roleRefuses);
      expect(refusedByRole.length).toBeGreaterThanOrEqual(150);
      const succeeded: string[] = [];
      for (const attack of refusedByRole) {
        const outcome = await asRole.unsafe(attack.sql).then(
          () => 'succeeded',
          () => 'refused',
        );
        if (outcome === 'succeeded') succeeded.push(attack.what);
      }
      expect(succeeded).toEqual([]);
      // Refused INSERTs may have drawn sequence numbers (as any failed INSERT does); nothing else moved.
      const withoutSequences = (state: Record<string, unknown> | undefined) =>
        Object.fromEntries(Object.entries(state ?? {}).filter(([key]) => !key.endsWith('_seq')));
      expect(withoutSequences(await snapshot())).toEqual(withoutSequences(before));
    });
  });

  describe('the legitimate corpus, through the guard and the least-privilege role', () => {
    let raw: SqlClient;
    let legacy: LegacyDatabase;
    beforeAll(async () => {
      raw = createPostgresClient({ url: roleUrl, label: 'legacy-wall-role', max: 2 });
      legacy = await createLegacyDatabase(raw);
    });
    afterAll(() => raw?.close());

    it('runs every legitimate read as a report (read-only transaction, statement timeout)', async () => {
      const failed: string[] = [];
      for (const entry of LEGACY_LEGITIMATE_READS) {
        const [sql, params] = typeof entry === 'string' ? [entry, []] : entry;
        await legacy.report(sql, params, { timeoutMs: 10_000 }).catch((error: unknown) => {
          failed.push(`${sql}: ${(error as Error).message}`);
        });
      }
      expect(failed).toEqual([]);
    });

    it('runs every legitimate write (INSERT ... RETURNING, UPDATE ... FROM, ON CONFLICT DO UPDATE)', async () => {
      const failed: string[] = [];
      for (const sql of LEGACY_LEGITIMATE_WRITES) {
        await legacy.query(sql).catch((error: unknown) => {
          failed.push(`${sql}: ${(error as Error).message}`);
        });
      }
      expect(failed).toEqual([]);
      expect(await owner`select name from customers where email = 'yuna@example.com'`).toEqual([
        { name: 'Choi Yuna (renamed)!' },
      ]);
    });
  });
});
