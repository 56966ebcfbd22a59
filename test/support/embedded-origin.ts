// Runs the real origin (src/entry/node.ts through tsx) as a separate process with embedded defaults:
// PGlite in a temp DATA_DIR, in-memory kv, a free loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './edge-worker.ts';
import { freePort } from './ports.ts';
import { spawnTestProcess, type TestProcess } from './processes.ts';

export interface OriginProcess {
  url: string;
  process: TestProcess;
  stop(): Promise<number | null>;
}

export async function startOriginProcess(env: Record<string, string> = {}): Promise<OriginProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'app-server-origin-'));
  const child = spawnTestProcess(
    process.execPath,
    [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'src/entry/node.ts'],
    {
      cwd: PROJECT_ROOT,
      // A clean environment: nothing from the developer's shell reaches the origin's config.
      env: {
        PATH: process.env.PATH,
        APP_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        ...env,
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await child.waitForOutput(/ready on http/, 60_000);
  } catch (error) {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    process: child,
    async stop() {
      const code = await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
