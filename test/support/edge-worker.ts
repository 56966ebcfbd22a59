// Runs the edge worker in workerd through `wrangler dev` (the repo's wrangler.toml, vars overridden),
// on a free loopback port with its own inspector port and a throwaway persistence folder (the cache).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.ts';
import { spawnTestProcess, type TestProcess } from './processes.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
const WRANGLER = join(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js');

export const wranglerEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_LOG: 'info',
  NO_COLOR: '1',
});

export interface EdgeWorker {
  url: string;
  process: TestProcess;
  stop(): Promise<void>;
}

export async function startEdgeWorker(vars: Record<string, string>): Promise<EdgeWorker> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const persistDir = mkdtempSync(join(tmpdir(), 'app-server-edge-'));
  const args = [
    WRANGLER,
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    persistDir,
    '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  // process.execPath: the Node 24 that runs vitest (wrangler needs >= 22).
  const child = spawnTestProcess(process.execPath, args, { cwd: PROJECT_ROOT, env: wranglerEnv() });
  try {
    await child.waitForOutput(/Ready on http:\/\/127\.0\.0\.1:\d+/, 60_000);
  } catch (error) {
    await child.stop();
    rmSync(persistDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    async stop() {
      await child.stop();
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}
