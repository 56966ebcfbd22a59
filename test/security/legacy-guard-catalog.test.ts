// The guard's allow lists and its list of function names, checked against a real PostgreSQL server:
// every allowed function exists in pg_catalog and none of its overloads is VOLATILE unless reviewed as
// harmless; every allowed cast type and operator is built in; and every function name the server knows
// with one argument (built-in or from an extension) is in the guard's list, so x.name and (x).name cannot
// hide one.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CAST_TYPES,
  OPERATORS,
  READ_FUNCTIONS,
  VOLATILE_BUT_HARMLESS,
  WRITE_FUNCTIONS,
} from '../../src/db/legacy-allow-list.ts';
import { BUILT_IN_CATALOG } from '../../src/db/legacy-guard.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';

/** Spellings the parser turns into pg_catalog type names (int → int4, boolean → bool, ...). */
const SQL_TYPE_SPELLINGS = new Set([
  'boolean',
  'smallint',
  'int',
  'integer',
  'bigint',
  'decimal',
  'real',
  'float',
  'double',
  'char',
  'character',
]);

describe.skipIf(!realPostgresUrl())('the legacy allow lists against real PostgreSQL', () => {
  let sql: postgres.Sql;
  beforeAll(async () => {
    sql = postgres(await createTestDatabase('legacy_lists'), { max: 1, onnotice: () => {} });
  });
  afterAll(() => sql?.end());

  it('allows only functions that exist in pg_catalog, none of them volatile unless reviewed', async () => {
    const names = [...READ_FUNCTIONS, ...WRITE_FUNCTIONS];
    const rows = await sql<{ proname: string; volatility: string }[]>`
      select proname, string_agg(distinct provolatile::text, '') as volatility from pg_proc
      where pronamespace = 'pg_catalog'::regnamespace and proname = any(${names}) group by proname`;
    const found = new Map(rows.map((row) => [row.proname, row.volatility]));
    expect(names.filter((name) => !found.has(name))).toEqual([]);
    const volatile = rows
      .filter((row) => row.volatility.includes('v') && !VOLATILE_BUT_HARMLESS.has(row.proname))
      .map((row) => row.proname);
    expect(volatile).toEqual([]);
  });

  it('allows casts only to types that exist in pg_catalog', async () => {
    const names = [...CAST_TYPES].filter((name) => !SQL_TYPE_SPELLINGS.has(name));
    const rows = await sql<{ typname: string }[]>`
      select typname from pg_type where typnamespace = 'pg_catalog'::regnamespace and typname = any(${names})`;
    const found = new Set(rows.map((row) => row.typname));
    expect(names.filter((name) => !found.has(name))).toEqual([]);
  });

  it('allows only operators pg_catalog defines', async () => {
    const rows = await sql<{ oprname: string }[]>`
      select distinct oprname from pg_operator where oprnamespace = 'pg_catalog'::regnamespace`;
    const found = new Set(rows.map((row) => row.oprname));
    expect([...OPERATORS].filter((name) => name !== '!=' && !found.has(name))).toEqual([]);
  });

  it('knows every one-argument function name of the server and its contrib extensions', async () => {
    const available = await sql<{ name: string }[]>`
      select name from pg_available_extensions
      where name in ('dblink', 'adminpack', 'lo', 'pgcrypto', 'file_fdw', 'postgres_fdw', 'pageinspect', 'tablefunc')`;
    for (const { name } of available) await sql.unsafe(`create extension if not exists "${name}" cascade`);
    const rows = await sql<{ proname: string }[]>`select distinct proname from pg_proc
      where provariadic <> 0 or (pronargs >= 1 and pronargs - pronargdefaults <= 1)`;
    expect(rows.length).toBeGreaterThan(1000);
    expect(
      rows.map((row) => row.proname).filter((name) => !BUILT_IN_CATALOG.functionNames.has(name)),
    ).toEqual([]);
  });
});
