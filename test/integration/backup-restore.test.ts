// scripts/backup.sh and scripts/restore.sh against real servers: an app DB migrated with the app's own
// migrations and filled with rows, a private redis-server and a files folder are backed up, wiped, restored,
// and compared. Retention and the S3 upload call are checked too (the aws CLI is replaced by a recorder:
// S3 cannot run here).
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresClient } from '../../src/db/client.ts';
import { findBinary, postgresBinDirs } from '../support/binaries.ts';
import { createMigratedTestDatabase, realPostgresUrl } from '../support/real-servers.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const pgDump = findBinary('pg_dump', postgresBinDirs());
const ready = Boolean(realPostgresUrl() && pgDump);
if (!ready && !inCi)
  console.warn('[backup] SKIPPING: needs the real PostgreSQL and pg_dump (postgresql-client-15)');

/** A password the scripts must never print (Redis requires it; PostgreSQL's trust auth ignores it). */
const FAKE_PASSWORD = 'not-printed-s3cr3t';

describe.skipIf(!ready && !inCi)('backup and restore on real PostgreSQL, Redis and files', () => {
  let work: string;
  let dbUrl: string;
  let scriptDbUrl: string;
  let redis: RedisServer;
  /** The private Redis requires a password, so the scripts' handling of it is exercised for real. */
  let redisUrl: string;
  let filesDir: string;
  let backupDir: string;
  let binDir: string;

  const scriptEnv = (extra: Record<string, string> = {}) => ({
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: work,
    DB_APP_URL: scriptDbUrl,
    REDIS_URL: redisUrl,
    FILES_BASE_DIR: filesDir,
    BACKUP_DIR: backupDir,
    ...extra,
  });

  const snapshotRows = async () => {
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
    try {
      return {
        jobs: await sql`select * from scheduled_jobs order by name`,
        runs: await sql`select * from job_runs order by scheduled_for`,
        audit: await sql`select * from audit_log order by id`,
        migrations: await sql`select hash from app_migrations order by id`,
      };
    } finally {
      await sql.end();
    }
  };

  beforeAll(async () => {
    expect(pgDump, 'pg_dump (CI installs postgresql-client-15)').toBeDefined();
    work = mkdtempSync(join(tmpdir(), 'app-server-backup-'));
    filesDir = join(work, 'files');
    backupDir = join(work, 'backups');
    binDir = join(work, 'bin');
    mkdirSync(join(filesDir, '2026/11'), { recursive: true });
    mkdirSync(binDir);
    writeFileSync(join(filesDir, '2026/11/report.pdf'), Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 255]));
    writeFileSync(join(filesDir, 'notes.txt'), 'stored file\n');
    // Stand-in for the aws CLI: records its arguments (the upload target cannot run here).
    writeFileSync(join(binDir, 'aws'), `#!/bin/sh\necho "$@" >> "${join(work, 'aws-calls.txt')}"\n`);
    chmodSync(join(binDir, 'aws'), 0o755);

    dbUrl = await createMigratedTestDatabase('backup');
    // The seed's driver-suffixed form with a password: the scripts accept it and must not print the password.
    const parsed = new URL(dbUrl);
    scriptDbUrl = `postgresql+asyncpg://${parsed.username}:${FAKE_PASSWORD}@${parsed.host}${parsed.pathname}`;
    const client = createPostgresClient({ url: dbUrl, label: 'backup-test', max: 2 });
    try {
      for (const [index, name] of ['nightly-report', 'hourly-sync', '한글-작업'].entries()) {
        const [job] = await client.query<{ id: string }>(
          `insert into scheduled_jobs (name, func, cron, args, kwargs, enabled)
           values ($1, 'hello', '*/5 * * * *', $2::jsonb, $3::jsonb, $4) returning id`,
          [name, JSON.stringify([index, 'x']), JSON.stringify({ nested: { n: index } }), index !== 1],
        );
        await client.query(
          `insert into job_runs (job_id, scheduled_for, trigger, status, output)
           values ($1, now() - ($2 || ' minutes')::interval, 'schedule', 'succeeded', $3::jsonb)`,
          [job!.id, String(index * 5), JSON.stringify({ lines: index })],
        );
      }
      await client.query(
        `insert into audit_log (actor, action, target_type, after) values ('admin', 'create', 'job', '{"a":1}')`,
      );
    } finally {
      await client.close();
    }

    redis = await startRedis();
    const r = new Redis(redis.url);
    // The test server only: no 5 s wait before it streams the snapshot to redis-cli --rdb.
    await r.config('SET', 'repl-diskless-sync-delay', '0');
    await r.set('plain', 'value');
    await r.set('ttl:key', 'expires later', 'EX', 3600);
    await r.set('key with "quotes" and spaces', 'q');
    await r.hset('hash:1', { a: '1', b: '2' });
    await r.rpush('list:1', 'x', 'y', 'z');
    await r.config('SET', 'requirepass', FAKE_PASSWORD);
    r.disconnect();
    redisUrl = redis.url.replace('redis://', `redis://default:${FAKE_PASSWORD}@`);
  });

  afterAll(async () => {
    await redis?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('backs up, survives a wipe, and restores identical rows, keys and files', async () => {
    const before = await snapshotRows();
    expect(before.jobs).toHaveLength(3);

    const backup = await run('bash', [join(root, 'scripts/backup.sh')], { env: scriptEnv() });
    const folder = backup.stdout.trim().split('\n').at(-1)!;
    expect(folder).toMatch(/app-server-\d{8}T\d{6}Z$/);
    expect(readdirSync(folder).sort()).toEqual(
      ['SHA256SUMS', 'app_db.dump', 'files.tar.gz', 'manifest.txt', 'redis.rdb', 'sources.txt'].sort(),
    );
    expect(backup.stdout + backup.stderr).not.toContain(FAKE_PASSWORD);

    // Wipe: the database dropped and recreated empty, Redis flushed, the files gone.
    const admin = postgres(realPostgresUrl()!, { max: 1, onnotice: () => {} });
    const name = new URL(dbUrl).pathname.slice(1);
    await admin.unsafe(`drop database ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    const r = new Redis(redisUrl);
    await r.flushall();
    rmSync(filesDir, { recursive: true });

    const restore = await run('bash', [join(root, 'scripts/restore.sh'), folder, '--yes'], {
      env: scriptEnv(),
    });
    expect(restore.stdout + restore.stderr).not.toContain(FAKE_PASSWORD);
    expect(restore.stdout).toContain('restored 5 keys');

    expect(await snapshotRows()).toEqual(before);
    expect(await r.get('plain')).toBe('value');
    expect(await r.get('key with "quotes" and spaces')).toBe('q');
    expect(await r.hgetall('hash:1')).toEqual({ a: '1', b: '2' });
    expect(await r.lrange('list:1', 0, -1)).toEqual(['x', 'y', 'z']);
    const ttl = await r.ttl('ttl:key');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3600);
    await r.quit();
    expect(readFileSync(join(filesDir, '2026/11/report.pdf'))).toEqual(
      Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 255]),
    );
    expect(readFileSync(join(filesDir, 'notes.txt'), 'utf8')).toBe('stored file\n');
  });

  it('refuses to restore without --yes and refuses a damaged backup', async () => {
    const [folder] = readdirSync(backupDir).filter((name) => name.startsWith('app-server-'));
    const path = join(backupDir, folder!);
    await expect(
      run('bash', [join(root, 'scripts/restore.sh'), path], { env: scriptEnv() }),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('--yes'),
    });
    const damaged = join(work, 'damaged');
    await run('cp', ['-r', path, damaged]);
    writeFileSync(join(damaged, 'files.tar.gz'), 'not the archive');
    await expect(
      run('bash', [join(root, 'scripts/restore.sh'), damaged, '--yes', '--only', 'files'], {
        env: scriptEnv(),
      }),
    ).rejects.toMatchObject({ stderr: expect.stringContaining('checksum mismatch') });
  });

  it('keeps the newest BACKUP_KEEP backups, drops those past BACKUP_RETENTION_DAYS, and uploads when configured', async () => {
    const retentionDir = join(work, 'retention');
    mkdirSync(retentionDir);
    const fake = (name: string, ageDays = 0) => {
      const dir = join(retentionDir, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'manifest.txt'), 'created_at=old\n');
      const when = new Date(Date.now() - ageDays * 86_400_000);
      utimesSync(dir, when, when);
    };
    fake('app-server-20200101T000000Z', 400);
    fake('app-server-20990101T000000Z', 40); // sorts newest by name, but 40 days old on disk
    fake('app-server-20250101T000000Z', 1);
    fake('.app-server-20250102T000000Z.partial'); // unfinished: never counted, never removed by retention

    const result = await run('bash', [join(root, 'scripts/backup.sh'), '--out', retentionDir], {
      env: scriptEnv({
        BACKUP_KEEP: '3',
        BACKUP_RETENTION_DAYS: '30',
        BACKUP_REDIS: 'false',
        BACKUP_S3_URI: 's3://ops-backups/app-server/',
        BACKUP_S3_ENDPOINT_URL: 'https://minio.internal:9000',
      }),
    });
    const created = result.stdout.trim().split('\n').at(-1)!.split('/').at(-1)!;
    expect(readdirSync(retentionDir).sort()).toEqual(
      ['.app-server-20250102T000000Z.partial', 'app-server-20250101T000000Z', created].sort(),
    );
    expect(existsSync(join(retentionDir, created, 'redis.rdb'))).toBe(false);
    const calls = readFileSync(join(work, 'aws-calls.txt'), 'utf8').trim().split('\n');
    expect(calls).toEqual([
      `--endpoint-url https://minio.internal:9000 s3 cp --recursive --only-show-errors ${join(retentionDir, created)} s3://ops-backups/app-server/${created}/`,
    ]);
  });
});
