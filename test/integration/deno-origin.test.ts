// The origin under Deno (src/entry/deno.ts through `deno task start`, the pinned npm deno 2.9.5) with
// embedded defaults: PGlite in a temp DATA_DIR, a free port. Checks health, an API error envelope, and
// a graceful exit on SIGTERM; a busy port is the Node entry's one line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/edge-worker.ts';
import { freePort } from '../support/ports.ts';
import { spawnTestProcess, type TestProcess } from '../support/processes.ts';
import { seedEmbeddedDatabases } from '../support/real-servers.ts';

const denoEnv = (env: Record<string, string>) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DENO_DIR: join(PROJECT_ROOT, '.deno'),
  DENO_NO_UPDATE_CHECK: '1',
  NO_COLOR: '1',
  APP_ENV: 'test',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'info',
  ...env,
});

describe('origin on Deno (embedded defaults)', () => {
  let deno: TestProcess;
  let dataDir: string;
  let url: string;
  let metricsUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    dataDir = mkdtempSync(join(tmpdir(), 'app-server-deno-'));
    url = `http://127.0.0.1:${port}`;
    deno = spawnTestProcess(join(PROJECT_ROOT, 'node_modules/deno/deno'), ['task', 'start'], {
      cwd: PROJECT_ROOT,
      env: denoEnv({ PORT: String(port), METRICS_PORT: String(metricsPort), DATA_DIR: dataDir }),
    });
    await deno.waitForOutput(/"runtime":"deno".*ready on http/, 90_000);
  });
  afterAll(async () => {
    await deno?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
  });

  it('serves /metrics on METRICS_PORT (prom-client under Deno), not on the main port', async () => {
    await fetch(`${url}/healthz`);
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(
      /^http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+$/m,
    );
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });

  it('answers /api/v1/health with its components (PGlite works under Deno)', async () => {
    const response = await fetch(`${url}/api/v1/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      components: Record<string, { status: string; kind: string }>;
    };
    expect(body.status).toBe('healthy');
    expect(body.components.app_db).toMatchObject({ status: 'healthy', kind: 'pglite' });
    expect(body.components.legacy_db).toMatchObject({ status: 'healthy', kind: 'pglite' });
  });

  it("answers an API call with the error envelope carrying the client's trace id", async () => {
    // Unknown route: 404, or 401 where authentication guards /api/v1 before routing.
    const response = await fetch(`${url}/api/v1/no-such-thing`, {
      headers: { 'X-Request-Id': 'deno-trace-1' },
    });
    const codeByStatus: Record<number, string> = { 401: 'unauthorized', 404: 'not_found' };
    expect(Object.keys(codeByStatus)).toContain(String(response.status));
    expect(await response.json()).toEqual({
      error_code: codeByStatus[response.status],
      message: expect.any(String),
      detail: null,
      trace_id: 'deno-trace-1',
    });
    expect(response.headers.get('x-request-id')).toBe('deno-trace-1');
  });

  it('serves the admin login page and htmx from the htmx.org package (JSX and the assets load under Deno)', async () => {
    const login = await fetch(`${url}/admin/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('<form method="post" action="/admin/login"');
    const htmx = await fetch(`${url}/admin/assets/htmx.min.js`);
    expect(htmx.status).toBe(200);
    expect(await htmx.text()).toContain('htmx');
  });

  it('parses SQL with libpg-query (WASM) under Deno: the legacy guard refuses a DELETE', () => {
    const script = [
      "import { loadLegacyGuard, assertLegacyStatementAllowed } from './src/db/legacy-guard.ts';",
      'await loadLegacyGuard();',
      "assertLegacyStatementAllowed('select * from customers');",
      "try { assertLegacyStatementAllowed('delete from customers'); console.log('allowed'); }",
      'catch (error) { console.log(error.message); }',
    ].join('\n');
    const output = execFileSync(join(PROJECT_ROOT, 'node_modules/deno/deno'), ['eval', script], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH,
        DENO_DIR: join(PROJECT_ROOT, '.deno'),
        DENO_NO_UPDATE_CHECK: '1',
        NO_COLOR: '1',
      },
    }).toString();
    expect(output).toMatch(/DELETE is not allowed on the legacy database/);
  });

  it('shuts down gracefully on SIGTERM', async () => {
    const code = await deno.stop(15_000);
    expect(deno.output()).toMatch(/"msg":"shutdown complete"/);
    expect(code).toBe(0);
  });
});

describe('origin on Deno: a port that is taken', () => {
  it('prints the same one line as on Node, naming PORT, and never starts the scheduler', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'app-server-deno-busy-'));
    try {
      await seedEmbeddedDatabases(dataDir, {});
      const deno = spawnTestProcess(join(PROJECT_ROOT, 'node_modules/deno/deno'), ['task', 'start'], {
        cwd: PROJECT_ROOT,
        env: denoEnv({ PORT: String(port), DATA_DIR: dataDir }),
      });
      const code = await new Promise<number | null>((resolve) => deno.child.once('exit', resolve));
      expect(code).not.toBe(0);
      const lines = deno.output().trim().split('\n');
      expect(lines.at(-1)).toBe(
        `startup error: port ${port} is in use on 127.0.0.1; stop the other process or set PORT=<a free port>`,
      );
      expect(deno.output()).not.toMatch(/scheduler started|AddrInUse|EADDRINUSE|Listening on|ready on/);
      await deno.stop();
    } finally {
      squatter.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
