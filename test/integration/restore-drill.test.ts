// scripts/restore-drill.sh on the real PostgreSQL: a migrated app DB with rows is backed up with
// scripts/backup.sh, the drill restores the newest backup into a scratch database, reports every table's rows
// in the dump against the rows restored, writes drill.txt beside the backup and drops the scratch database;
// it fails on a damaged backup and on a dump with too few tables, and never prints the password.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient } from '../../src/db/client.ts';
import { findBinary, postgresBinDirs } from '../support/binaries.ts';
import { createMigratedTestDatabase, realPostgresUrl } from '../support/real-servers.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const pgDump = findBinary('pg_dump', postgresBinDirs());
const ready = Boolean(realPostgresUrl() && pgDump);
if (!ready && !inCi) console.warn('[restore-drill] SKIPPING: needs the real PostgreSQL and pg_dump');

const FAKE_PASSWORD = 'drill-not-printed-pw';

describe.skipIf(!ready && !inCi)('restore drill on real PostgreSQL', () => {
  let work: string;
  let dbUrl: string;
  let scriptUrl: string;
  let backupDir: string;

  const env = (extra: Record<string, string> = {}) => ({
    PATH: `${postgresBinDirs().join(':')}:${process.env.PATH}`,
    HOME: work,
    DB_APP_URL: scriptUrl,
    BACKUP_DIR: backupDir,
    BACKUP_REDIS: 'false',
    BACKUP_FILES: 'false',
    ...extra,
  });
  const script = async (name: string, args: string[], extra: Record<string, string> = {}) => {
    try {
      const { stdout, stderr } = await run(join(root, 'scripts', name), args, { env: env(extra) });
      return { code: 0, output: stdout + stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, output: failed.stdout + failed.stderr };
    }
  };
  const scratchDatabases = async () => {
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    try {
      const name = new URL(dbUrl).pathname.slice(1);
      const rows = await sql`select datname from pg_database where datname like ${`${name}_drill_%`}`;
      return rows.map((row) => row.datname as string);
    } finally {
      await sql.end();
    }
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'app-server-drill-'));
    backupDir = join(work, 'backups');
    dbUrl = await createMigratedTestDatabase('drill');
    const parsed = new URL(dbUrl);
    scriptUrl = `postgresql://${parsed.username}:${FAKE_PASSWORD}@${parsed.host}${parsed.pathname}`;
    const client = createPostgresClient({ url: dbUrl, label: 'drill-test', max: 2 });
    try {
      for (const name of ['drill-a', 'drill-b', 'drill-c']) {
        const [job] = await client.query<{ id: string }>(
          `insert into scheduled_jobs (name, func, cron, args, enabled)
           values ($1, 'hello', '*/5 * * * *', $2::jsonb, true) returning id`,
          [name, JSON.stringify(['multi\nline', 'tab\there'])],
        );
        for (const minutes of [5, 10]) {
          await client.query(
            `insert into job_runs (job_id, scheduled_for, trigger, status)
             values ($1, now() - ($2 || ' minutes')::interval, 'schedule', 'succeeded')`,
            [job!.id, String(minutes)],
          );
        }
      }
    } finally {
      await client.close();
    }
    const backup = await script('backup.sh', []);
    expect(backup.code, backup.output).toBe(0);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('restores the newest backup into a scratch database, matches every row count and drops it', async () => {
    const drill = await script('restore-drill.sh', []);
    expect(drill.code, drill.output).toBe(0);
    expect(drill.output).toMatch(/public\.scheduled_jobs\s+dump=3\s+restored=3\s+ok/);
    expect(drill.output).toMatch(/public\.job_runs\s+dump=6\s+restored=6\s+ok/);
    expect(drill.output).toMatch(/drill ok: \d+ tables, every row count matches/);
    expect(drill.output).not.toContain(FAKE_PASSWORD);
    expect(await scratchDatabases()).toEqual([]);
    const [folder] = readdirSync(backupDir).filter((name) => name.startsWith('app-server-'));
    const report = readFileSync(join(backupDir, folder!, 'drill.txt'), 'utf8');
    expect(report).toContain(`backup=${folder}`);
    expect(report).toContain('drill ok');
  });

  it('keeps the scratch database on request', async () => {
    const drill = await script('restore-drill.sh', [], { DRILL_KEEP: 'true' });
    expect(drill.code, drill.output).toBe(0);
    const kept = await scratchDatabases();
    expect(kept).toHaveLength(1);
    const scratch = new URL(dbUrl);
    scratch.pathname = `/${kept[0]}`;
    const sql = postgres(scratch.toString(), { max: 1, onnotice: () => {} });
    try {
      const [row] =
        await sql`select count(*)::int as n from scheduled_jobs where args->>0 = ${'multi\nline'}`;
      expect(row!.n).toBe(3);
    } finally {
      await sql.end();
    }
    const admin = postgres(dbUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`drop database "${kept[0]}"`);
    } finally {
      await admin.end();
    }
  });

  it('fails on a dump with too few tables and on a damaged backup, leaving no scratch database', async () => {
    const few = await script('restore-drill.sh', [], { DRILL_MIN_TABLES: '1000' });
    expect(few.code).toBe(1);
    expect(few.output).toContain('fewer than DRILL_MIN_TABLES=1000');

    const [folder] = readdirSync(backupDir).filter((name) => name.startsWith('app-server-'));
    const dump = join(backupDir, folder!, 'app_db.dump');
    const bytes = readFileSync(dump);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(dump, bytes);
    const damaged = await script('restore-drill.sh', [join(backupDir, folder!)]);
    expect(damaged.code).toBe(1);
    expect(damaged.output).toContain('checksum mismatch');
    expect(await scratchDatabases()).toEqual([]);
  });
});
