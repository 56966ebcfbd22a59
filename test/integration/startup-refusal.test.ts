// The origin process refuses an unsafe production configuration: non-zero exit, one line naming the
// variable, and the secret nowhere in its output. Each case is its own process, so they run side by side.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killStrayOrigins, runOriginToExit } from '../support/origin-process.ts';
import { freePort } from '../support/ports.ts';
import { seedEmbeddedDatabases } from '../support/real-servers.ts';

// Not afterEach: the cases run concurrently, and one case's cleanup would kill another's process.
afterAll(killStrayOrigins);
const STRONG = {
  ADMIN_PASSWORD: 'Adm1n-Passw0rd-strong',
  JWT_SECRET_KEY: 'jwt-9f8e7d6c5b4a39281706f5e4d3c2b1a0-strong',
  REDIS_URL: 'redis://redis.internal:6379/0',
};

describe.concurrent('origin process: production refusals', () => {
  it('exits non-zero naming DB_APP_URL for a loopback URL, never echoing its password', async ({
    expect,
  }) => {
    const result = await runOriginToExit({
      APP_ENV: 'production',
      DB_APP_URL: 'postgres://u:secretpw@127.0.0.1/db',
    });
    expect(result.code).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/DB_APP_URL/);
    expect(output).toMatch(/loopback/);
    expect(output).not.toContain('secretpw');
  });

  it('exits non-zero naming DB_APP_URL when it is missing', async ({ expect }) => {
    const result = await runOriginToExit({ APP_ENV: 'production', ...STRONG });
    expect(result.code).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/^config error: DB_APP_URL: is required in production/);
  });

  it('exits non-zero naming ADMIN_PASSWORD for a weak password, never echoing it', async ({ expect }) => {
    const result = await runOriginToExit({
      APP_ENV: 'aws',
      ...STRONG,
      DB_APP_URL: 'postgresql+asyncpg://u:secretpw@db.internal:5432/app',
      ADMIN_PASSWORD: 'hunter2pw',
    });
    expect(result.code).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/ADMIN_PASSWORD/);
    expect(output).not.toContain('hunter2pw');
    expect(output).not.toContain('secretpw');
  });

  it('exits non-zero naming DB_APP_URL when the database does not answer, never echoing its password', async ({
    expect,
  }) => {
    const closedPort = await freePort();
    const result = await runOriginToExit({
      APP_ENV: 'local',
      DB_APP_URL: `postgres://u:secretpw@127.0.0.1:${closedPort}/db`,
      DB_LEGACY_URL: `postgres://u:secretpw@127.0.0.1:${closedPort}/legacy`,
      LOG_LEVEL: 'silent',
    });
    expect(result.code).not.toBe(0);
    const output = `${result.stdout}${result.stderr}`;
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(
      /^startup error: DB_APP_URL: cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1/,
    );
    expect(output).not.toContain('secretpw');
  });
});

describe('origin process: a port that is taken', () => {
  it('says which port is in use and that PORT fixes it, in one line, and never starts the scheduler', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'app-server-busy-port-'));
    // Copies of the run's migrated templates: the start gets as far as the listen without an initdb.
    await seedEmbeddedDatabases(dataDir, {});
    try {
      const result = await runOriginToExit({
        APP_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(
        `startup error: port ${port} is in use on 127.0.0.1; stop the other process or set PORT=<a free port>`,
      );
      // The listen failed, so nothing that would claim ticks ever started.
      expect(result.stdout).not.toMatch(/scheduler started/);
      expect(result.stdout).not.toMatch(/EADDRINUSE/);
    } finally {
      squatter.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
