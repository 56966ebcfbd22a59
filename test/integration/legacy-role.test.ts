// The second wall: docs/db/legacy_role.sql applied to a fresh database on real PostgreSQL. Connected as
// that role with no statement guard in between, the server itself refuses DELETE, TRUNCATE, DROP, ALTER
// and CREATE, while SELECT, INSERT and UPDATE work.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGACY_DEMO_SCHEMA } from '../../src/db/legacy-demo.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';

const ROLE_SQL = readFileSync(new URL('../../docs/db/legacy_role.sql', import.meta.url), 'utf8');
const INSUFFICIENT_PRIVILEGE = '42501';

describe.skipIf(!realPostgresUrl())('docs/db/legacy_role.sql on real PostgreSQL', () => {
  let owner: postgres.Sql;
  let asRole: postgres.Sql;

  const codeOf = (work: Promise<unknown>) =>
    work.then(
      () => 'succeeded',
      (error: { code?: string }) => error.code ?? 'no code',
    );

  beforeAll(async () => {
    const url = await createTestDatabase('legacy_role');
    owner = postgres(url, { max: 1, onnotice: () => {} });
    for (const statement of LEGACY_DEMO_SCHEMA) await owner.unsafe(statement);
    // Applied unchanged, twice: it must be safe to re-run.
    await owner.unsafe(ROLE_SQL);
    await owner.unsafe(ROLE_SQL);
    // A table created after the script: covered by the default privileges.
    await owner.unsafe('create table notes (id serial primary key, body text not null)');
    const roleUrl = new URL(url);
    roleUrl.username = 'app_legacy';
    asRole = postgres(roleUrl.toString(), { max: 1, onnotice: () => {} });
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
});
