// What the legacy guard knows of the database's names: the one-argument functions the server could call for
// x.f / (x).f, functions that also exist outside pg_catalog (an unqualified call could reach them), and the
// relation names that resolve to system catalogs. Built in for PostgreSQL 15, or read from the connected server.
import type { SqlExecutor } from './client.ts';
import { POSTGRES_FUNCTION_NAMES } from './legacy-function-names.ts';

/** What the connected database adds to the guard's knowledge (loadLegacyCatalog). */
export interface LegacyCatalog {
  /** Every function name the server can call with one argument (built-in, extensions, user functions). */
  readonly functionNames: ReadonlySet<string>;
  /** Function names defined outside pg_catalog, with one schema that defines each. */
  readonly functionsOutsideCatalog: ReadonlyMap<string, string>;
  /** Unqualified relation names that resolve to a system catalog or view. */
  readonly catalogRelations: ReadonlySet<string>;
}

/** Without a connected database: the one-argument function names of PostgreSQL 15 and its contrib extensions. */
export const BUILT_IN_CATALOG: LegacyCatalog = {
  functionNames: new Set(POSTGRES_FUNCTION_NAMES.trim().split(/\s+/)),
  functionsOutsideCatalog: new Map(),
  catalogRelations: new Set(),
};

/** Reads the connected database's function and catalog names once (a few ms; run as the legacy role). */
export async function loadLegacyCatalog(executor: SqlExecutor): Promise<LegacyCatalog> {
  const [row] = await executor.query<{
    functions: string[] | null;
    outside: Record<string, string> | string | null;
    relations: string[] | null;
  }>(LOAD_CATALOG_SQL);
  const outside = typeof row?.outside === 'string' ? JSON.parse(row.outside) : (row?.outside ?? {});
  return {
    functionNames: new Set([...BUILT_IN_CATALOG.functionNames, ...(row?.functions ?? [])]),
    functionsOutsideCatalog: new Map(Object.entries(outside as Record<string, string>)),
    catalogRelations: new Set(row?.relations ?? []),
  };
}

const LOAD_CATALOG_SQL = `select
  (select array_agg(distinct p.proname::text) from pg_catalog.pg_proc p
     where p.provariadic <> 0 or (p.pronargs >= 1 and p.pronargs - p.pronargdefaults <= 1)) as functions,
  (select coalesce(json_object_agg(s.proname, s.nspname), '{}'::json) from (
     select distinct on (p.proname) p.proname::text as proname, n.nspname::text as nspname
     from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
     where n.nspname <> 'pg_catalog' order by p.proname, n.nspname) s) as outside,
  (select array_agg(c.relname::text) from pg_catalog.pg_class c
     join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'pg_catalog'
        or (n.nspname = 'information_schema' and n.nspname = any (pg_catalog.current_schemas(false)))
  ) as relations`;
