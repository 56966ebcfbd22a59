// The second wall: docs/db/legacy_role.sql applied to a fresh database on real PostgreSQL. Connected as
// that role with no statement guard in between, the server itself refuses DELETE, TRUNCATE, DROP, ALTER
// and CREATE, while SELECT, INSERT and UPDATE work. At start the origin inspects the legacy role: production
// refuses a superuser or owner (unless LEGACY_ALLOW_PRIVILEGED_ROLE=true), local start warns.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.ts';
import { createPostgresClient } from '../../src/db/client.ts';
import { createDatabases, DatabaseStartupError } from '../../src/db/index.ts';
import { LEGACY_DEMO_SCHEMA } from '../../src/db/legacy-demo.ts';
import { describePrivilegedRole, inspectLegacyRole } from '../../src/db/legacy-role.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';
import { captureLines } from '../support/test-deps.ts';

const ROLE_SQL = readFileSync(new URL('../../docs/db/legacy_role.sql', import.meta.url), 'utf8');
const INSUFFICIENT_PRIVILEGE = '42501';

describe.skipIf(!realPostgresUrl())('docs/db/legacy_role.sql on real PostgreSQL', () => {
  let owner: postgres.Sql;
  let asRole: postgres.Sql;
  let url: string;
  let roleUrl: string;

  const codeOf = (work: Promise<unknown>) =>
    work.then(
      () => 'succeeded',
      (error: { code?: string }) => error.code ?? 'no code',
    );

  beforeAll(async () => {
    url = await createTestDatabase('legacy_role');
    owner = postgres(url, { max: 1, onnotice: () => {} });
    for (const statement of LEGACY_DEMO_SCHEMA) await owner.unsafe(statement);
    // Applied unchanged, twice: it must be safe to re-run.
    await owner.unsafe(ROLE_SQL);
    await owner.unsafe(ROLE_SQL);
    // A table created after the script: covered by the default privileges.
    await owner.unsafe('create table notes (id serial primary key, body text not null)');
    const asRoleUrl = new URL(url);
    asRoleUrl.username = 'app_legacy';
    roleUrl = asRoleUrl.toString();
    asRole = postgres(roleUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await Promise.all([asRole?.end(), owner?.end()]);
  });

  it('connects as a role that is no superuser and owns nothing', async () => {
    const [me] =
      await asRole`select current_user as name, rolsuper from pg_roles where rolname = current_user`;
    expect(me).toEqual({ name: 'app_legacy', rolsuper: false });
  });

  it('lets SELECT, INSERT (with its sequence) and UPDATE through', async () => {
    expect(await asRole`select count(*)::int as n from customers`).toEqual([{ n: 3 }]);
    const [inserted] =
      await asRole`insert into customers (name, email) values ('Role Test', 'role@example.com') returning id`;
    expect(inserted!.id).toBeGreaterThan(3);
    await asRole`update orders set status = 'paid' where id = 2`;
    expect(await owner`select status from orders where id = 2`).toEqual([{ status: 'paid' }]);
    await asRole`insert into notes (body) values ('created after the script')`;
    expect(await owner`select count(*)::int as n from notes`).toEqual([{ n: 1 }]);
  });

  it('is refused DELETE, TRUNCATE, DROP, ALTER and CREATE by the server, and nothing changes', async () => {
    const before =
      await owner`select (select count(*) from customers)::int as c, (select count(*) from orders)::int as o, (select count(*) from notes)::int as n`;
    const attempts = {
      delete: asRole.unsafe('delete from orders'),
      deleteNewTable: asRole.unsafe('delete from notes'),
      truncate: asRole.unsafe('truncate orders'),
      drop: asRole.unsafe('drop table orders'),
      alter: asRole.unsafe('alter table customers add column note text'),
      create: asRole.unsafe('create table evil (id int)'),
    };
    const codes = Object.fromEntries(
      await Promise.all(Object.entries(attempts).map(async ([name, work]) => [name, await codeOf(work)])),
    );
    expect(codes).toEqual({
      delete: INSUFFICIENT_PRIVILEGE,
      deleteNewTable: INSUFFICIENT_PRIVILEGE,
      truncate: INSUFFICIENT_PRIVILEGE,
      drop: INSUFFICIENT_PRIVILEGE,
      alter: INSUFFICIENT_PRIVILEGE,
      create: INSUFFICIENT_PRIVILEGE,
    });
    const after =
      await owner`select (select count(*) from customers)::int as c, (select count(*) from orders)::int as o, (select count(*) from notes)::int as n`;
    expect(after).toEqual(before);
    const columns =
      await owner`select count(*)::int as n from information_schema.columns where table_name = 'customers' and column_name = 'note'`;
    expect(columns).toEqual([{ n: 0 }]);
    // GRANT without the grant option only warns; the privilege must still be absent.
    await asRole.unsafe('grant delete on orders to app_legacy');
    const [privileges] =
      await owner`select has_table_privilege('app_legacy', 'orders', 'DELETE') as del, has_table_privilege('app_legacy', 'orders', 'TRUNCATE') as trunc, has_table_privilege('app_legacy', 'notes', 'DELETE') as del_new`;
    expect(privileges).toEqual({ del: false, trunc: false, del_new: false });
  });

  it('inspects the role: nothing to report for app_legacy; superuser, ownership, DELETE and CREATE are named', async () => {
    const inspect = async (connectTo: string) => {
      const client = createPostgresClient({ url: connectTo, label: 'inspect', max: 1 });
      try {
        return await inspectLegacyRole(client);
      } finally {
        await client.close();
      }
    };
    const least = await inspect(roleUrl);
    expect(least).toMatchObject({ role: 'app_legacy', superuser: false, owned: [], deletable: [] });
    expect(describePrivilegedRole(least)).toBeUndefined();

    expect(describePrivilegedRole(await inspect(url))).toMatch(
      /^the legacy connection's role \S+ is a superuser: /,
    );

    // An owner that is no superuser: it could DROP, ALTER, DELETE and TRUNCATE its table.
    await owner.unsafe(`do $$ begin
      if not exists (select from pg_roles where rolname = 'legacy_table_owner') then create role legacy_table_owner login; end if;
    end $$`);
    await owner.unsafe('create table if not exists owned_by_someone (id int)');
    await owner.unsafe('alter table owned_by_someone owner to legacy_table_owner');
    await owner.unsafe('grant create on schema public to legacy_table_owner');
    const ownerUrl = new URL(url);
    ownerUrl.username = 'legacy_table_owner';
    const reason = describePrivilegedRole(await inspect(ownerUrl.toString()));
    expect(reason).toMatch(/owns 1 relation\(s\) \(public\.owned_by_someone\)/);
    expect(reason).toMatch(/may DELETE or TRUNCATE 1 table\(s\) \(public\.owned_by_someone\)/);
    expect(reason).toMatch(/may CREATE in schema public/);
    expect(reason).toMatch(/docs\/db\/legacy_role\.sql$/);
    await owner.unsafe('revoke create on schema public from legacy_table_owner');
  });

  it('at start: production refuses a superuser legacy connection in one line; the override and local start warn', async () => {
    const appUrl = await createTestDatabase('legacy_role_app');
    const { config } = parseConfig({ APP_ENV: 'test', DB_APP_URL: appUrl, DB_LEGACY_URL: url });
    const production = { ...config, isProduction: true };
    const start = async (startConfig: typeof config, legacyUrl = url) => {
      const log = captureLines();
      const logger = createLogger({ level: 'debug', destination: log.stream });
      const outcome = await createDatabases(
        { ...startConfig, db: { ...startConfig.db, legacyUrl } },
        logger,
      ).catch((error: unknown) => error as Error);
      if (!(outcome instanceof Error)) await outcome.close();
      const warnings = log.lines.filter((line) => line.level === 40).map((line) => String(line.msg));
      return { outcome, warnings };
    };

    const refused = await start(production);
    expect(refused.outcome).toBeInstanceOf(DatabaseStartupError);
    expect((refused.outcome as DatabaseStartupError).variable).toBe('DB_LEGACY_URL');
    expect((refused.outcome as Error).message).toMatch(
      /^DB_LEGACY_URL: the legacy connection's role \S+ is a superuser: .*LEGACY_ALLOW_PRIVILEGED_ROLE=true to start anyway\)$/,
    );
    expect((refused.outcome as Error).message).not.toContain('\n');

    const overridden = await start({
      ...production,
      db: { ...production.db, legacyAllowPrivilegedRole: true },
    });
    expect(overridden.outcome).not.toBeInstanceOf(Error);
    expect(overridden.warnings).toEqual([
      expect.stringMatching(/is a superuser.*starting anyway \(LEGACY_ALLOW_PRIVILEGED_ROLE=true\)$/),
    ]);

    const local = await start(config);
    expect(local.outcome).not.toBeInstanceOf(Error);
    expect(local.warnings).toEqual([expect.stringMatching(/is a superuser.*; allowed locally$/)]);

    const leastPrivilege = await start(production, roleUrl);
    expect(leastPrivilege.outcome).not.toBeInstanceOf(Error);
    expect(leastPrivilege.warnings).toEqual([]);
  });
});
