// AppDependencies for in-process tests: real databases and stores, a logger that writes to a buffer.
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/index.ts';
import { createPgliteClient, type SqlClient } from '../../src/db/client.ts';
import type { Databases } from '../../src/db/index.ts';
import { createLegacyDatabase } from '../../src/db/legacy.ts';
import type { AppDependencies } from '../../src/deps.ts';
import { assembleDependencies } from '../../src/entry/bootstrap.ts';
import { createLocalFileStore } from '../../src/features/files/file-store.ts';
import { createMemoryStore, type KeyValueStore } from '../../src/kv/index.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { openMigratedPglite, pgliteWasmEngine } from './real-servers.ts';

/** A pino destination that keeps every line, parsed. */
export function captureLines() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { stream, lines, raw };
}

// One in-memory PGlite per role and test worker (its files share it: isolate is off), opened on first use on
// the worker's compiled WebAssembly module: starting PGlite takes a second or more on a busy machine. Tests
// only ping them (health). The app one is loaded from the migrated template's dump (no initdb); the legacy one
// is an empty database.
const sharedPglite = new Map<string, Promise<SqlClient>>();
const keepOpen = (client: SqlClient): SqlClient => ({ ...client, close: async () => {} });

function shared(label: 'pglite:memory' | 'pglite:legacy'): Promise<SqlClient> {
  let client = sharedPglite.get(label);
  if (!client) {
    client = (
      label === 'pglite:memory'
        ? openMigratedPglite(label)
        : pgliteWasmEngine().then((engine) => createPgliteClient({ dataDir: undefined, label, engine }))
    ).then(keepOpen);
    sharedPglite.set(label, client);
  }
  return client;
}

/**
 * For tests of the HTTP layer that never reach a database: any use fails loudly, and no PGlite is started
 * (that alone can take seconds on a loaded machine).
 */
export const UNUSED_DATABASE: SqlClient = new Proxy({} as SqlClient, {
  get(_target, property) {
    if (property === 'kind') return 'pglite';
    if (property === 'label') return 'unused';
    if (property === 'close') return async () => {};
    if (property === 'then') return undefined;
    throw new Error(`this test does not use the app database (it touched .${String(property)})`);
  },
});

export interface TestDepsOptions {
  env?: Record<string, string>;
  /** Default: the file's shared in-memory PGlite (its close() does nothing). */
  app?: SqlClient;
  /** A raw client for the legacy DB (guarded here); null for none. Default: the shared PGlite. */
  legacy?: SqlClient | null;
  kv?: KeyValueStore;
}

export async function createTestDeps(options: TestDepsOptions = {}) {
  // No scheduler unless a test asks for one: nothing here starts it, and a built one would run poked jobs.
  const { config } = parseConfig({
    APP_ENV: 'test',
    LOG_LEVEL: 'debug',
    SCHEDULER_ENABLED: 'false',
    ...options.env,
  });
  const log = captureLines();
  const logger = createLogger({ level: config.log.level, destination: log.stream });
  const app = options.app ?? (await shared('pglite:memory'));
  const legacyRaw = options.legacy === null ? undefined : (options.legacy ?? (await shared('pglite:legacy')));
  const legacy = legacyRaw ? await createLegacyDatabase(legacyRaw) : undefined;
  const db: Databases = {
    app,
    legacy,
    async close() {
      await Promise.allSettled([app.close(), legacy?.close()]);
    },
  };
  // Built the way the entry builds them (src/entry/bootstrap.ts), so tests meet the production services.
  const deps: AppDependencies = assembleDependencies({
    config,
    db,
    kv: options.kv ?? createMemoryStore(),
    logger,
    replicaId: 'test-replica',
    files: createLocalFileStore(config.files.baseDir),
    metrics: createMetrics(),
  });
  return { deps, log };
}
