// npm run verify:prod against a locally running origin on real PostgreSQL and a private redis-server:
// the checks that exist pass, secrets never reach the output, and stopping Redis fails the run clearly.
// Token issue and job create-then-read are asserted as ok once POST /api/v1/auth/token and /api/v1/jobs
// exist; until then the report must name the missing route and the command must exit non-zero.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrigin, type TestOrigin } from '../support/origin.ts';
import { freePort } from '../support/ports.ts';
import { createTestDatabase, realPostgresUrl } from '../support/real-servers.ts';
import { type RedisServer, startRedis } from '../support/redis-server.ts';

const root = join(import.meta.dirname, '../..');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const ADMIN_PASSWORD = 'verify-prod-admin-pass-7f3k';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: Map<string, { outcome: string; detail: string }>;
}

function verifyProd(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'verify:prod', '--', ...args],
      { cwd: root },
      (error, stdout, stderr) => {
        const lines = new Map<string, { outcome: string; detail: string }>();
        for (const line of stdout.split('\n')) {
          const match = /^(ok|FAIL|skip)\s+(.+?)\s{2,}(.*)$/.exec(line);
          if (match) lines.set(match[2]!, { outcome: match[1]!, detail: match[3]! });
        }
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, lines });
      },
    );
  });
}

describe.skipIf(!realPostgresUrl() && !inCi)('npm run verify:prod', () => {
  let redis: RedisServer;
  let origin: TestOrigin;
  let dbUrl: string;
  let work: string;
  let args: string[];

  beforeAll(async () => {
    expect(realPostgresUrl(), 'real PostgreSQL (CI installs it)').toBeDefined();
    work = mkdtempSync(join(tmpdir(), 'app-server-verify-'));
    const passwordFile = join(work, 'password');
    writeFileSync(passwordFile, `${ADMIN_PASSWORD}\n`);
    redis = await startRedis();
    dbUrl = await createTestDatabase('verify');
    origin = await startTestOrigin({
      DB_APP_URL: dbUrl,
      REDIS_URL: redis.url,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD,
    });
    args = [
      '--url',
      origin.url,
      '--username',
      'admin',
      '--password-file',
      passwordFile,
      '--redis-url',
      redis.url,
      '--db-url',
      dbUrl,
    ];
  });

  afterAll(async () => {
    await origin?.stop();
    await redis?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('passes health, Redis and Postgres checks against a running origin and masks secrets', async () => {
    const run = await verifyProd(args);
    for (const name of ['liveness', 'readiness', 'redis round trip', 'postgres read-after-write']) {
      expect(run.lines.get(name), `${name}\n${run.stdout}`).toMatchObject({ outcome: 'ok' });
    }
    expect(run.lines.get('readiness')!.detail).toContain('redis=healthy');
    expect(run.stdout + run.stderr).not.toContain(ADMIN_PASSWORD);

    expect(run.lines.get('token issue'), run.stdout).toMatchObject({ outcome: 'ok' });
    expect(run.lines.get('job create-then-read'), run.stdout).toMatchObject({ outcome: 'ok' });
    expect(run.code, run.stdout).toBe(0);
  });

  it('fails clearly when Redis is stopped', async () => {
    await redis.kill();
    try {
      const run = await verifyProd(args);
      expect(run.code).toBe(1);
      expect(run.lines.get('liveness')).toMatchObject({ outcome: 'ok' });
      const readiness = run.lines.get('readiness')!;
      expect(readiness.outcome, run.stdout).toBe('FAIL');
      expect(readiness.detail).toMatch(/^status degraded \(200\): redis: /);
      const roundTrip = run.lines.get('redis round trip')!;
      expect(roundTrip.outcome).toBe('FAIL');
      expect(roundTrip.detail).toContain(redis.url);
      expect(run.lines.get('postgres read-after-write')).toMatchObject({ outcome: 'ok' });
      expect(run.stdout + run.stderr).not.toContain(ADMIN_PASSWORD);
    } finally {
      await redis.start();
    }
  });

  it('fails clearly when nothing answers at the URL', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const run = await verifyProd(['--url', nobody, '--username', 'admin', '--password', 'x']);
    expect(run.code).toBe(1);
    expect(run.lines.get('liveness')).toMatchObject({ outcome: 'FAIL' });
    expect(run.lines.get('liveness')!.detail).toBe('GET /healthz did not answer (ECONNREFUSED)');
    expect(run.lines.get('redis round trip')).toMatchObject({ outcome: 'skip' });
  });
});
