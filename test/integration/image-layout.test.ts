// The runtime stage's layout, without a Docker engine: the build output (tsc with tsconfig.build.json),
// migrations/, views/static/ and package.json in one folder, as docker/Dockerfile assembles /app. From there the image's
// migrate command applies the migrations, the image's CMD starts the origin, the image's HEALTHCHECK command
// (taken from the Dockerfile, run as it is) passes, and SIGTERM ends the process cleanly (tini forwards it).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile, stageEnv } from '../support/dockerfile.ts';
import { freePort } from '../support/ports.ts';
import { ensurePgliteTemplates, ensureTestBuild, PGLITE_TEMPLATE_FILES } from '../support/templates.ts';
import { until } from '../support/time-scale.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const runtime = parseDockerfile(readFileSync(join(root, 'docker/Dockerfile'), 'utf8')).stages.at(-1)!;
const lastArgs = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).at(-1)!.args;
const cmd = JSON.parse(lastArgs('CMD')) as string[];
const healthcheck = JSON.parse(lastArgs('HEALTHCHECK').replace(/^.*?CMD\s+/, '')) as string[];

describe('the runtime image layout', () => {
  let app: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    app = mkdtempSync(join(tmpdir(), 'app-server-image-'));
    // What the build stage runs (npm run build): the run's one test build of it, copied into the image folder.
    cpSync(await ensureTestBuild(), join(app, 'dist'), { recursive: true });
    cpSync(join(root, 'migrations'), join(app, 'migrations'), { recursive: true });
    // The Dockerfile copies views/static (the admin stylesheet) when the repository has it.
    cpSync(join(root, 'views/static'), join(app, 'views/static'), { recursive: true });
    cpSync(join(root, 'package.json'), join(app, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'));
    // The embedded legacy database, copied from the run's template: its first creation is
    // origin-process.test.ts's; here the migrate command makes the app database and the CMD opens both.
    cpSync(PGLITE_TEMPLATE_FILES(await ensurePgliteTemplates()).legacy, join(app, 'data/pglite/legacy'), {
      recursive: true,
    });
    env = {
      PATH: process.env.PATH,
      // The image's Node flags (its heap caps), as its ENV sets them.
      NODE_OPTIONS: stageEnv(runtime).NODE_OPTIONS,
      APP_ENV: 'local',
      DATA_DIR: join(app, 'data'),
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
    };
  });
  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it('applies the migrations with the documented one-off command', async () => {
    const { stdout } = await run(process.execPath, ['dist/src/entry/migrate.js'], { cwd: app, env });
    expect(stdout).toMatch(/migrations applied: [1-9]\d*, already applied: 0/);
  });

  it('starts with the CMD, passes the HEALTHCHECK and stops cleanly on SIGTERM', async () => {
    expect(cmd[0]).toBe('node');
    expect(healthcheck[0]).toBe('node');
    const port = String(await freePort());
    const origin: ChildProcess = spawn(process.execPath, cmd.slice(1), {
      cwd: app,
      env: { ...env, PORT: port },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    origin.stdout!.on('data', (chunk) => {
      output += chunk;
    });
    origin.stderr!.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => origin.once('exit', (code) => resolve(code)));
    try {
      // The HEALTHCHECK's own command decides readiness: Docker would run it the same way.
      const probe = () =>
        run(process.execPath, healthcheck.slice(1), { env: { ...env, PORT: port } }).then(
          () => true,
          () => false,
        );
      const outcome = await until(
        async () => (origin.exitCode !== null ? 'exited' : (await probe()) && 'healthy'),
        {
          // A busy machine can take minutes to start. Each probe is a new node process (~0.1 s of CPU),
          // so they are spaced as a health check is, not a busy loop.
          timeoutMs: 180_000,
          intervalMs: 500,
          what: 'the HEALTHCHECK passing',
        },
      );
      expect(outcome, output).toBe('healthy');
      const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
      expect(health.status).toBe(200);
    } finally {
      origin.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
  });

  it('fails the HEALTHCHECK when nothing listens', async () => {
    const port = String(await freePort());
    await expect(
      run(process.execPath, healthcheck.slice(1), { env: { ...env, PORT: port } }),
    ).rejects.toMatchObject({
      code: 1,
    });
  });
});
