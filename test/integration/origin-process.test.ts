// The README's first command in spirit: the origin as a real process with embedded defaults answers
// /api/v1/health, exits 0 on SIGTERM, and its data survives a restart. Every spawned origin runs the build
// (`npm start`'s path); the last test runs the sources through tsx (`npm run dev`'s path).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPgliteClient } from '../../src/db/client.ts';
import { killStrayOrigins, type SpawnOptions, spawnOrigin } from '../support/origin-process.ts';
import { freePort } from '../support/ports.ts';
import { seedEmbeddedDatabases } from '../support/real-servers.ts';
import { scaled } from '../support/time-scale.ts';

// Each start opens two embedded PGlite databases; on a loaded two-core machine that alone can take 10 s+.
// This is a safety net against a hang, not a performance assertion.
const PROCESS_TEST_TIMEOUT_MS = scaled(180_000);
const dirs: string[] = [];
afterEach(killStrayOrigins);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string, parent = tmpdir()) {
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, prefix));
  dirs.push(dir);
  return dir;
}

const logLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Starts the origin, checks /api/v1/health, stops it with SIGTERM; returns its log lines. */
async function startCheckStop(env: Record<string, string>, options?: SpawnOptions) {
  const port = await freePort();
  const origin = await spawnOrigin({ PORT: String(port), LOG_LEVEL: 'info', ...env }, options);
  await origin.waitForLine(/"msg":".* ready on http:\/\/127\.0\.0\.1:\d+"/);
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
  const body = (await response.json()) as { status: string; components: Record<string, { status: string }> };
  origin.child.kill('SIGTERM');
  const code = await origin.exited;
  return { response, body, code, lines: logLines(origin.stdout()), stderr: origin.stderr() };
}

describe('the origin process with embedded defaults', () => {
  it(
    'answers health, exits 0 on SIGTERM, and keeps its data across a restart',
    async () => {
      const dataDir = tempDir('app-server-data-');

      const first = await startCheckStop({ DATA_DIR: dataDir });
      expect(first.response.status).toBe(200);
      expect(first.body.status).toBe('healthy');
      expect(first.body.components).toMatchObject({
        app_db: { status: 'healthy' },
        legacy_db: { status: 'healthy' },
      });
      expect(first.code).toBe(0);
      expect(first.stderr).toBe('');
      const firstMessages = first.lines.map((line) => line.msg);
      expect(firstMessages).toContain('app database migrated');
      expect(firstMessages).toContain(
        'embedded legacy database created with its demo schema (customers, orders)',
      );
      expect(firstMessages).toContain('shutdown complete');

      // Between runs, write through the embedded files themselves.
      const app = await createPgliteClient({ dataDir: join(dataDir, 'pglite', 'app'), label: 'between' });
      await app.query(
        "insert into audit_log (actor, action, target_type) values ('test', 'survive', 'restart')",
      );
      await app.close();
      const legacy = await createPgliteClient({
        dataDir: join(dataDir, 'pglite', 'legacy'),
        label: 'between',
      });
      await legacy.query(
        "insert into customers (name, email) values ('Restart Probe', 'restart@example.com')",
      );
      await legacy.close();

      const second = await startCheckStop({ DATA_DIR: dataDir });
      expect(second.response.status).toBe(200);
      expect(second.code).toBe(0);
      const secondMessages = second.lines.map((line) => line.msg);
      expect(secondMessages).toContain('app database schema is current');
      expect(secondMessages).not.toContain('app database migrated');
      expect(secondMessages.some((msg) => String(msg).startsWith('embedded legacy database created'))).toBe(
        false,
      );

      const appAfter = await createPgliteClient({ dataDir: join(dataDir, 'pglite', 'app'), label: 'after' });
      expect(await appAfter.query("select actor from audit_log where action = 'survive'")).toEqual([
        { actor: 'test' },
      ]);
      await appAfter.close();
      const legacyAfter = await createPgliteClient({
        dataDir: join(dataDir, 'pglite', 'legacy'),
        label: 'after',
      });
      expect(await legacyAfter.query('select count(*)::int as n from customers')).toEqual([{ n: 4 }]);
      await legacyAfter.close();
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'a SIGTERM while the embedded databases open stops cleanly (exit 0) once the start is safe',
    async () => {
      const dataDir = tempDir('app-server-early-stop-');
      const origin = await spawnOrigin({
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      });
      // Printed just before PGlite starts creating its files.
      await origin.waitForLine(/"msg":"using embedded PGlite \(local only\)"/);
      origin.child.kill('SIGTERM');
      expect(await origin.exited).toBe(0);
      const messages = logLines(origin.stdout()).map((line) => line.msg);
      expect(messages).toContain('shutdown complete');
      expect(messages.some((msg) => String(msg).includes('ready on'))).toBe(false);
      // The embedded files are usable afterwards.
      const app = await createPgliteClient({ dataDir: join(dataDir, 'pglite', 'app'), label: 'after' });
      expect(await app.query('select 1 as ok')).toEqual([{ ok: 1 }]);
      await app.close();
    },
    PROCESS_TEST_TIMEOUT_MS,
  );

  it(
    'npm run dev path: the TypeScript sources run through tsx and serve health',
    async () => {
      // The embedded databases' first start is covered above: this one opens copies of the run's templates.
      const dataDir = tempDir('app-server-dev-');
      await seedEmbeddedDatabases(dataDir, {});
      const result = await startCheckStop({ DATA_DIR: dataDir }, { fromSources: true });
      expect(result.response.status).toBe(200);
      expect(result.body.status).toBe('healthy');
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.lines.map((line) => line.msg)).toContain('app database schema is current');
    },
    PROCESS_TEST_TIMEOUT_MS,
  );
});
