// A full origin app for API tests: real PostgreSQL (a fresh database) when the run has one, else in-memory
// PGlite; migrated (cloned from the run's template); the bootstrap admin ensured; uploads in a temp
// folder; logs captured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.ts';
import { type Config, parseConfig } from '../../src/config/index.ts';
import { createPostgresClient, type SqlClient } from '../../src/db/client.ts';
import type { AppDependencies } from '../../src/deps.ts';
import { assembleDependencies } from '../../src/entry/bootstrap.ts';
import { createLocalFileStore } from '../../src/features/files/file-store.ts';
import { ensureBootstrapAdmin } from '../../src/features/users/users.service.ts';
import { createMemoryStore, type KeyValueStore } from '../../src/kv/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { withConformance } from './openapi-conformance.ts';
import { createMigratedTestDatabase, openMigratedPglite, realPostgresUrl } from './real-servers.ts';

export const ADMIN = { username: 'admin', password: 'test-admin-password-1234' };

export interface TestApi {
  app: ReturnType<typeof createApp>;
  deps: AppDependencies;
  config: Config;
  /** Every log line written while the app ran, as text. */
  logs: string[];
  filesDir: string;
  /** A JWT for the given user (form login). */
  login(username: string, password: string): Promise<string>;
  /** Creates a user with the role (as admin) and returns a JWT for it. */
  userToken(role: 'viewer' | 'operator' | 'admin'): Promise<string>;
  close(): Promise<void>;
}

export async function startTestApi(
  env: Record<string, string> = {},
  options: { kv?: KeyValueStore } = {},
): Promise<TestApi> {
  const filesDir = mkdtempSync(join(tmpdir(), 'api-files-'));
  // No scheduler unless a test asks for one: nothing here starts it, and a built one would run poked jobs.
  const { config } = parseConfig({
    APP_ENV: 'test',
    SCHEDULER_ENABLED: 'false',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    FILES_BASE_DIR: filesDir,
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const pgUrl = realPostgresUrl();
  const client: SqlClient = pgUrl
    ? createPostgresClient({ url: await createMigratedTestDatabase('api'), label: 'test', max: 4 })
    : await openMigratedPglite('memory');
  await ensureBootstrapAdmin(client.drizzle, config.auth);
  const kv = options.kv ?? createMemoryStore();
  // Built the way the entry builds them (src/entry/bootstrap.ts), so tests meet the production services.
  const deps: AppDependencies = assembleDependencies({
    config,
    db: { app: client, legacy: undefined, close: () => client.close() },
    kv,
    logger,
    replicaId: 'test',
    files: createLocalFileStore(filesDir),
    metrics: createMetrics(),
  });
  const app = withConformance(createApp(deps));

  const login = async (username: string, password: string) => {
    const response = await app.request(`${config.apiPrefix}/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({ username, password }),
    });
    if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
    return ((await response.json()) as { access_token: string }).access_token;
  };
  let adminToken: string | undefined;
  let userCount = 0;
  return {
    app,
    deps,
    config,
    logs,
    filesDir,
    login,
    async userToken(role) {
      adminToken ??= await login(ADMIN.username, ADMIN.password);
      if (role === 'admin') return adminToken;
      const username = `${role}-${++userCount}`;
      const password = `${role}-password-123456`;
      const created = await app.request(`${config.apiPrefix}/users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password, role }),
      });
      if (created.status !== 201)
        throw new Error(`create ${role}: ${created.status} ${await created.text()}`);
      return login(username, password);
    },
    async close() {
      await client.close();
      await kv.close();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
