// Access to the servers global-setup started for the run, a fresh database per suite (empty, or a clone of
// the migrated template), and copies of the PGlite templates (templates.ts).
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createPgliteClient, type PgliteClientOptions, type SqlClient } from '../../src/db/client.ts';
import { ensurePgliteTemplates, PGLITE_TEMPLATE_FILES, PROJECT_ROOT } from './templates.ts';

export const realPostgresUrl = (): string | undefined => inject('postgresUrl') ?? undefined;
export const realRedisUrl = (): string | undefined => inject('redisUrl') ?? undefined;

export interface TestDatabaseOptions {
  /** Clone this database (CREATE DATABASE … TEMPLATE); default: an empty database. */
  template?: string;
}

/** Creates a database on the shared test server (empty unless options.template) and returns its URL. */
export async function createTestDatabase(
  prefix = 'test',
  options: TestDatabaseOptions = {},
): Promise<string> {
  const base = realPostgresUrl();
  if (!base) throw new Error('no real PostgreSQL in this run');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(
      options.template ? `create database ${name} template ${options.template}` : `create database ${name}`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A database with every app migration applied, cloned from the template global-setup migrated once (a
 * file copy on the server, instead of running the migrations again).
 */
export async function createMigratedTestDatabase(prefix = 'test'): Promise<string> {
  const template = inject('postgresTemplate');
  if (!template) throw new Error('no migrated template database in this run (no real PostgreSQL)');
  return createTestDatabase(prefix, { template });
}

const PGLITE_DIST = join(PROJECT_ROOT, 'node_modules/@electric-sql/pglite/dist');
let pgliteWasm: Promise<Pick<NonNullable<PgliteClientOptions['engine']>, 'pgliteWasmModule' | 'fsBundle'>>;
let migratedDump: Promise<Blob> | undefined;

/** PGlite's 9 MB WebAssembly module and its file bundle, compiled and read once per test worker. */
export function pgliteWasmEngine() {
  pgliteWasm ??= (async () => ({
    pgliteWasmModule: await WebAssembly.compile(readFileSync(join(PGLITE_DIST, 'pglite.wasm'))),
    fsBundle: new Blob([readFileSync(join(PGLITE_DIST, 'pglite.data'))]),
  }))();
  return pgliteWasm;
}

/**
 * An in-memory PGlite with every app migration applied, loaded from the migrated template's dump (no initdb,
 * no migrations; templates.ts makes the template once), on the worker's compiled WebAssembly module.
 */
export async function openMigratedPglite(label = 'memory'): Promise<SqlClient> {
  migratedDump ??= ensurePgliteTemplates().then(
    (dir) => new Blob([readFileSync(PGLITE_TEMPLATE_FILES(dir).appDump)]),
  );
  const engine = { ...(await pgliteWasmEngine()), loadDataDir: await migratedDump };
  return createPgliteClient({ dataDir: undefined, label, engine });
}

/**
 * Fills an origin's DATA_DIR with copies of the embedded templates (app DB migrated, legacy DB with its demo
 * schema), so a started origin opens them instead of initialising and migrating its own. Skips a database the
 * env points at a server (DB_APP_URL / DB_LEGACY_URL).
 */
export async function seedEmbeddedDatabases(
  dataDir: string,
  env: Record<string, string | undefined>,
): Promise<void> {
  const files = PGLITE_TEMPLATE_FILES(await ensurePgliteTemplates());
  const target = join(dataDir, 'pglite');
  if (!env.DB_APP_URL) cpSync(files.app, join(target, 'app'), { recursive: true });
  if (!env.DB_LEGACY_URL) cpSync(files.legacy, join(target, 'legacy'), { recursive: true });
}
