// The legacy non-delete policy through createLegacyDatabase, on PGlite and on real PostgreSQL:
// disguised DELETE/DDL refused before reaching the database (nothing changes), SELECT/INSERT/UPDATE pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteClient, createPostgresClient, type SqlClient } from '../../src/db/client.ts';
import { createLegacyDatabase, type LegacyDatabase } from '../../src/db/legacy.ts';
import { LEGACY_DEMO_SCHEMA } from '../../src/db/legacy-demo.ts';
import { checkLegacyStatement, LegacyStatementRefused, loadLegacyGuard } from '../../src/db/legacy-guard.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';

/** Statements that must never run on the legacy database, each disguised a different way. */
const REFUSED: [string, string][] = [
  ['plain DELETE', 'DELETE FROM orders WHERE id = 1'],
  ['mixed case behind a block comment', '/* just a read */ DeLeTe /* x */ FrOm orders'],
  ['a line comment hiding a second statement', '-- report\nselect 1;\ndelete from orders'],
  ['DELETE in a CTE', 'WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone'],
  [
    'DELETE in a CTE under an INSERT',
    'WITH gone AS (DELETE FROM orders RETURNING customer_id) INSERT INTO orders (customer_id, amount) SELECT customer_id, 1 FROM gone',
  ],
  [
    'DELETE in a CTE under an UPDATE',
    "WITH gone AS (DELETE FROM orders RETURNING customer_id) UPDATE customers SET name = 'x' WHERE id IN (SELECT customer_id FROM gone)",
  ],
  ['several statements', 'select * from customers; drop table orders'],
  [
    'several statements with a trailing comment',
    "update customers set name = 'a' where id = 1; truncate orders --",
  ],
  ['COPY to a file', "COPY customers TO '/tmp/customers.csv'"],
  ['COPY from stdin', 'COPY orders FROM STDIN'],
  ['a DO block', 'DO $$ BEGIN DELETE FROM orders; END $$'],
  [
    'a DO block in another language spelling',
    "do language plpgsql 'begin execute ''drop table orders''; end'",
  ],
  ['TRUNCATE', 'TRUNCATE orders'],
  ['TRUNCATE with CASCADE', 'truncate table customers restart identity cascade'],
  ['DROP TABLE', 'DROP TABLE orders'],
  ['DROP quoted and qualified', 'drop table if exists "public"."orders"'],
  ['ALTER TABLE', 'ALTER TABLE customers ADD COLUMN note text'],
  ['ALTER TABLE DROP COLUMN', 'alter table customers drop column email'],
  ['CREATE TABLE', 'CREATE TABLE evil (id int)'],
  ['CREATE TABLE AS', 'create table evil as select * from customers'],
  ['CREATE FUNCTION', "create function purge() returns void language sql as 'delete from orders'"],
  ['CREATE INDEX', 'create index on customers (name)'],
  ['GRANT', 'GRANT DELETE ON customers TO PUBLIC'],
  ['REVOKE', 'REVOKE SELECT ON customers FROM PUBLIC'],
  ['SELECT INTO', 'SELECT * INTO customers_copy FROM customers'],
  ['EXPLAIN ANALYZE DELETE', 'EXPLAIN ANALYZE DELETE FROM orders'],
  [
    'MERGE ... THEN DELETE',
    'MERGE INTO orders o USING customers c ON o.customer_id = c.id WHEN MATCHED THEN DELETE',
  ],
  ['CALL', 'CALL purge_orders()'],
  ['PREPARE a DELETE', 'PREPARE purge AS DELETE FROM orders'],
  ['EXECUTE', 'EXECUTE purge'],
  ['SET ROLE', 'SET ROLE postgres'],
  ['LOCK', 'LOCK TABLE orders'],
  ['VACUUM', 'VACUUM FULL orders'],
  ['dblink_exec', "select dblink_exec('dbname=legacy', 'delete from orders')"],
  ['dblink in FROM', "select * from dblink('dbname=legacy', 'delete from orders returning id') as t(id int)"],
  ['pg_read_file', "select pg_read_file('/etc/passwd')"],
  [
    'a schema-qualified pg_terminate_backend',
    'select pg_catalog.pg_terminate_backend(pid) from pg_stat_activity',
  ],
  [
    'set_config in a WHERE',
    "select * from customers where set_config('role', 'postgres', false) is not null",
  ],
  ['lo_unlink', 'select lo_unlink(1)'],
  [
    'query_to_xml running other SQL',
    "select query_to_xml('delete from orders returning id', true, false, '')",
  ],
  ['an empty statement', '   -- nothing here\n'],
  ['SQL that does not parse', 'DELEET FROM orders'],
];

/** Statements that must pass the guard, with what they should leave behind. */
const ALLOWED: string[] = [
  'select * from customers order by id',
  "select * from customers where name = 'delete from orders'",
  'select 1 -- ; delete from orders',
  'select count(*) from orders o join customers c on c.id = o.customer_id where c.id = $1',
  'with paid as (select * from orders where status = $1) select sum(amount) from paid',
  'table customers',
  'insert into customers (name, email) values ($1, $2) returning id',
  "insert into orders (customer_id, amount, status) select id, 5, 'new' from customers where email = $1",
  'insert into customers (name, email) values ($1, $2) on conflict (email) do update set name = excluded.name',
  "update orders set status = 'paid' from customers c where c.id = orders.customer_id and c.email = $1",
  'select * from customers for update',
  'select nextval(pg_get_serial_sequence($1, $2))',
];

describe('the legacy guard (parser level)', () => {
  beforeAll(loadLegacyGuard);

  it.each(REFUSED)('refuses %s', (_what, sql) => {
    expect(checkLegacyStatement(sql)).toMatch(/.+/);
  });

  it.each(ALLOWED)('allows %s', (sql) => {
    expect(checkLegacyStatement(sql)).toBeUndefined();
  });

  it('gives a clear reason', () => {
    expect(checkLegacyStatement('delete from orders')).toBe(
      'DELETE is not allowed on the legacy database (only SELECT, INSERT and UPDATE)',
    );
    expect(checkLegacyStatement('select 1; select 2')).toBe('send one statement at a time');
    expect(checkLegacyStatement('select * into t from customers')).toMatch(/SELECT \.\.\. INTO/);
    expect(checkLegacyStatement("select pg_read_file('/x')")).toMatch(/pg_read_file\(\) is not allowed/);
  });
});

interface Backend {
  name: string;
  skip: boolean;
  open(): Promise<SqlClient>;
}

const backends: Backend[] = [
  {
    name: 'PGlite',
    skip: false,
    open: () => createPgliteClient({ dataDir: undefined, label: 'legacy-test' }),
  },
  {
    name: 'real PostgreSQL',
    skip: !realPostgresUrl(),
    open: async () =>
      createPostgresClient({ url: await createTestDatabase('legacy'), label: 'legacy-test', max: 2 }),
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`createLegacyDatabase on ${backend.name}`, () => {
    let raw: SqlClient;
    let legacy: LegacyDatabase;
    let sentToDatabase = 0;

    /** Everything the guard could change: the table list and every row. */
    const snapshot = async () => {
      const tables = await raw.query<{ t: string }>(
        "select string_agg(table_name, ',' order by table_name) as t from information_schema.tables where table_schema = 'public'",
      );
      const customers = await raw.query<{ h: string; n: number }>(
        "select md5(coalesce(string_agg(c::text, '|' order by id), '')) as h, count(*)::int as n from customers c",
      );
      const orders = await raw.query<{ h: string; n: number }>(
        "select md5(coalesce(string_agg(o::text, '|' order by id), '')) as h, count(*)::int as n from orders o",
      );
      return { tables: tables[0]!.t, customers: customers[0], orders: orders[0] };
    };

    beforeAll(async () => {
      raw = await backend.open();
      for (const statement of LEGACY_DEMO_SCHEMA) await raw.query(statement);
      // Count what reaches the database through the guarded handle.
      const counted: SqlClient = {
        ...raw,
        query: (text, params) => {
          sentToDatabase++;
          return raw.query(text, params);
        },
      };
      legacy = await createLegacyDatabase(counted);
    });
    afterAll(async () => {
      await raw?.close();
    });

    it('refuses every disguised DELETE/DDL before it reaches the database, changing nothing', async () => {
      const before = await snapshot();
      expect(before.orders!.n).toBe(4);
      // The first legacy statement also reads the database's function and catalog names.
      await legacy.query('select 1');
      const sentBefore = sentToDatabase;
      for (const [what, sql] of REFUSED) {
        const error = await legacy.query(sql).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, what).toBeInstanceOf(LegacyStatementRefused);
        expect((error as LegacyStatementRefused).message, what).toMatch(
          /^legacy database: statement refused: /,
        );
        expect((error as LegacyStatementRefused).code).toBe('legacy_statement_refused');
      }
      expect(sentToDatabase).toBe(sentBefore);
      expect(await snapshot()).toEqual(before);
    });

    it('checks statements inside a transaction too, and the refusal rolls the transaction back', async () => {
      const before = await snapshot();
      await expect(
        legacy.transaction(async (tx) => {
          await tx.query("update customers set name = 'changed in tx' where id = 1");
          await tx.query('delete from orders');
        }),
      ).rejects.toBeInstanceOf(LegacyStatementRefused);
      expect(await snapshot()).toEqual(before);
    });

    it('runs SELECT, INSERT (plain, from SELECT, ON CONFLICT DO UPDATE) and UPDATE ... FROM with parameters', async () => {
      const customers = await legacy.query<{ id: number; name: string }>(ALLOWED[0]!);
      expect(customers.map((row) => row.name)).toEqual(['Kim Minji', 'Lee Jun', 'Park Sora']);
      expect(await legacy.query(ALLOWED[1]!)).toEqual([]);

      const counted = await legacy.query<{ count: unknown }>(ALLOWED[3]!, [1]);
      expect(Number(counted[0]!.count)).toBe(2);

      const inserted = await legacy.query<{ id: number }>(ALLOWED[6]!, ['Choi Yuna', 'yuna@example.com']);
      expect(inserted).toHaveLength(1);
      expect(await raw.query('select name from customers where email = $1', ['yuna@example.com'])).toEqual([
        { name: 'Choi Yuna' },
      ]);

      await legacy.query(ALLOWED[7]!, ['yuna@example.com']);
      const yunaOrders = await raw.query<{ n: number }>(
        'select count(*)::int as n from orders o join customers c on c.id = o.customer_id where c.email = $1',
        ['yuna@example.com'],
      );
      expect(yunaOrders[0]!.n).toBe(1);

      await legacy.query(ALLOWED[8]!, ['Choi Yuna (renamed)', 'yuna@example.com']);
      expect(await raw.query('select name from customers where email = $1', ['yuna@example.com'])).toEqual([
        { name: 'Choi Yuna (renamed)' },
      ]);

      await legacy.query(ALLOWED[9]!, ['yuna@example.com']);
      const statuses = await raw.query<{ status: string }>(
        'select o.status from orders o join customers c on c.id = o.customer_id where c.email = $1',
        ['yuna@example.com'],
      );
      expect(statuses).toEqual([{ status: 'paid' }]);

      const tx = await legacy.transaction(async (t) => {
        await t.query("update customers set name = 'Lee Jun (tx)' where id = $1", [2]);
        return t.query<{ name: string }>('select name from customers where id = $1', [2]);
      });
      expect(tx).toEqual([{ name: 'Lee Jun (tx)' }]);
      expect(await raw.query('select count(*)::int as n from orders')).toEqual([{ n: 5 }]);
    });
  });
}
