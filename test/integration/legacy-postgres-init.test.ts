// docker/postgres/init as the postgres image's entrypoint runs it (sh, psql, POSTGRES_* variables), on real
// PostgreSQL: it creates the legacy database and its least-privilege role, which compose.local.yml's
// DB_LEGACY_URL connects as. Tables created afterwards by the owner are readable and writable by the role,
// which still cannot delete or drop them.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/binaries.ts';
import { realPostgresUrl } from '../support/real-servers.ts';

const run = promisify(execFile);
const path = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));
const psql = findBinary('psql', ['/usr/bin', '/usr/local/bin']);

describe.skipIf(!realPostgresUrl() || !psql)('docker/postgres/init on real PostgreSQL', () => {
  const database = `legacy_init_${randomBytes(5).toString('hex')}`;
  let owner: postgres.Sql;
  let asRole: postgres.Sql;

  beforeAll(async () => {
    const server = new URL(realPostgresUrl()!);
    const env = {
      ...process.env,
      PATH: `${process.env.PATH}:/usr/bin`,
      PGHOST: server.hostname,
      PGPORT: server.port,
      POSTGRES_USER: decodeURIComponent(server.username),
      POSTGRES_DB: server.pathname.slice(1) || 'postgres',
      POSTGRES_PASSWORD: 'init-test-password',
      LEGACY_DB: database,
      LEGACY_ROLE_SQL: path('docs/db/legacy_role.sql'),
    };
    for (const script of ['docker/postgres/init/01-legacy-db.sh', 'docker/postgres/init/02-legacy-role.sh']) {
      await run('sh', [path(script)], { env });
    }
    const url = new URL(realPostgresUrl()!);
    url.pathname = `/${database}`;
    owner = postgres(url.toString(), { max: 1, onnotice: () => {} });
    url.username = 'app_legacy';
    asRole = postgres(url.toString(), { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await Promise.allSettled([owner?.end(), asRole?.end()]);
  });

  it('creates the role with a password, no superuser, owning nothing', async () => {
    const [role] = await owner`select rolsuper, rolcanlogin, rolpassword is not null as has_password
      from pg_authid where rolname = 'app_legacy'`;
    expect(role).toEqual({ rolsuper: false, rolcanlogin: true, has_password: true });
  });

  it('lets the role read, add and change rows of tables the owner creates later, never delete or drop', async () => {
    await owner.unsafe('create table orders (id serial primary key, status text not null)');
    await asRole`insert into orders (status) values ('new')`;
    await asRole`update orders set status = 'paid'`;
    expect(await asRole`select status from orders`).toEqual([{ status: 'paid' }]);
    const refusal = (work: Promise<unknown>) =>
      work.then(
        () => 'succeeded',
        (error: { code?: string }) => error.code,
      );
    expect(await refusal(asRole.unsafe('delete from orders'))).toBe('42501');
    expect(await refusal(asRole.unsafe('drop table orders'))).toBe('42501');
    expect(await refusal(asRole.unsafe('create table evil (id int)'))).toBe('42501');
    expect(await owner`select count(*)::int as n from orders`).toEqual([{ n: 1 }]);
  });
});
