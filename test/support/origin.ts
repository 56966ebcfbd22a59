// Starts the real origin in-process (createApp + startNodeServer, as src/entry/node.ts does) on a free port,
// and records what reached it, so proxy tests can tell nginx's answers from the origin's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import type { AppDependencies } from '../../src/deps.ts';
import { buildDependencies, loadConfig } from '../../src/entry/bootstrap.ts';
import { startNodeServer } from '../../src/entry/node-server.ts';
import { seedEmbeddedDatabases } from './real-servers.ts';

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  bodyBytes: number;
}

export interface TestOrigin {
  url: string;
  port: number;
  deps: AppDependencies;
  /** Requests the origin received, in order. */
  seen: SeenRequest[];
  stop(): Promise<void>;
}

/**
 * env: the variables a deployment would set; DATA_DIR defaults to a temp folder holding copies of the run's
 * embedded templates (app DB migrated, legacy DB with its demo schema). recordRequests: false serves exactly as
 * src/entry/node.ts does (recording reads every body, which early refusals must not wait for); `seen` stays empty.
 */
export async function startTestOrigin(
  env: Record<string, string> = {},
  options: { recordRequests?: boolean } = {},
): Promise<TestOrigin> {
  const dataDir = mkdtempSync(join(tmpdir(), 'app-server-origin-'));
  if (!env.DATA_DIR) await seedEmbeddedDatabases(dataDir, env);
  const { config, logger } = loadConfig(
    { APP_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', DATA_DIR: dataDir, ...env },
    false,
  );
  const deps = await buildDependencies(config, logger);
  const app = createApp(deps);
  const seen: SeenRequest[] = [];
  const record: typeof app.fetch = async (request, env) => {
    const url = new URL(request.url);
    const bodyBytes = request.body ? (await request.clone().arrayBuffer()).byteLength : 0;
    seen.push({
      method: request.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      bodyBytes,
    });
    // env carries the socket (the client address comes from its peer).
    return app.fetch(request, env);
  };
  const running = await startNodeServer({
    fetch: options.recordRequests === false ? app.fetch : record,
    port: 0,
    host: '127.0.0.1',
    shutdownTimeoutMs: 2000,
    logger,
    closers: [
      { name: 'kv', close: () => deps.kv.close() },
      { name: 'databases', close: () => deps.db.close() },
    ],
  });
  let stopped = false;
  return {
    url: `http://127.0.0.1:${running.port}`,
    port: running.port,
    deps,
    seen,
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.shutdown('test done');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
