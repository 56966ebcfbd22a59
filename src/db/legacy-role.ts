// The legacy wall's second half, checked at start: the legacy connection's role should be able to read,
// add and change rows and nothing more (docs/db/legacy_role.sql). A superuser, an owner of the tables (or a
// member of the owner's role), or a role that may CREATE, DELETE or TRUNCATE leaves the guard as the only wall.
import type { SqlExecutor } from './client.ts';

export interface LegacyRoleInspection {
  role: string;
  superuser: boolean;
  /** Tables, views and sequences the role owns or inherits ownership of (it could DROP or ALTER them). */
  owned: string[];
  createOnDatabase: boolean;
  createOnSchemas: string[];
  /** Tables the role may DELETE from or TRUNCATE. */
  deletable: string[];
}

const USER_RELATION = `n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%'`;

const INSPECT_SQL = `select
  current_user::text as role,
  coalesce((select r.rolsuper from pg_catalog.pg_roles r where r.rolname = current_user), false) as superuser,
  coalesce((select array_agg(n.nspname || '.' || c.relname order by 1) from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and ${USER_RELATION}
      and pg_catalog.pg_has_role(c.relowner, 'USAGE')), '{}') as owned,
  pg_catalog.has_database_privilege(current_database(), 'CREATE') as create_on_database,
  coalesce((select array_agg(n.nspname::text order by 1) from pg_catalog.pg_namespace n
    where ${USER_RELATION} and pg_catalog.has_schema_privilege(n.oid, 'CREATE')), '{}') as create_on_schemas,
  coalesce((select array_agg(n.nspname || '.' || c.relname order by 1) from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and ${USER_RELATION}
      and (pg_catalog.has_table_privilege(c.oid, 'DELETE') or pg_catalog.has_table_privilege(c.oid, 'TRUNCATE'))),
    '{}') as deletable`;

/** Reads what the connected role may do beyond SELECT, INSERT and UPDATE (one catalog query). */
export async function inspectLegacyRole(executor: SqlExecutor): Promise<LegacyRoleInspection> {
  const [row] = await executor.query<{
    role: string;
    superuser: boolean;
    owned: string[];
    create_on_database: boolean;
    create_on_schemas: string[];
    deletable: string[];
  }>(INSPECT_SQL);
  if (!row) throw new Error('the role inspection returned no row');
  return {
    role: row.role,
    superuser: row.superuser,
    owned: row.owned,
    createOnDatabase: row.create_on_database,
    createOnSchemas: row.create_on_schemas,
    deletable: row.deletable,
  };
}

const some = (names: string[]) =>
  names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;

/** One line naming what the role may do that the legacy wall forbids; undefined for a least-privilege role. */
export function describePrivilegedRole(inspection: LegacyRoleInspection): string | undefined {
  const findings: string[] = [];
  if (inspection.superuser) findings.push('is a superuser');
  else {
    if (inspection.owned.length > 0) {
      findings.push(`owns ${inspection.owned.length} relation(s) (${some(inspection.owned)})`);
    }
    if (inspection.deletable.length > 0) {
      findings.push(
        `may DELETE or TRUNCATE ${inspection.deletable.length} table(s) (${some(inspection.deletable)})`,
      );
    }
    const creates = [
      ...(inspection.createOnDatabase ? ['the database'] : []),
      ...inspection.createOnSchemas.map((schema) => `schema ${schema}`),
    ];
    if (creates.length > 0) findings.push(`may CREATE in ${some(creates)}`);
  }
  if (findings.length === 0) return undefined;
  return `the legacy connection's role ${inspection.role} ${findings.join('; ')}: the database is then guarded by the statement guard alone; connect as the least-privilege role of docs/db/legacy_role.sql`;
}
