// The costly set-up done once, then copied cheaply by every test file:
// - a migrated template database on the run's PostgreSQL, made by global-setup (each file: CREATE DATABASE x
//   TEMPLATE it);
// - PGlite data directories, initialised once: the app DB migrated, the embedded legacy DB with its demo
//   schema, and a dump of the migrated app DB that an in-memory PGlite loads instead of running initdb;
// - one tsc build of the origin (what `npm run build` emits).
// The last two are kept in node_modules/.cache while their inputs stay the same, and made by the first test
// file that asks for them (not by global-setup), so a run that needs neither never pays for them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { createPgliteClient, createPostgresClient } from '../../src/db/client.ts';
import { ensureLegacyDemoSchema } from '../../src/db/legacy-demo.ts';
import { migrateAppDatabase } from '../../src/db/migrate.ts';
import { until } from './time-scale.ts';

const run = promisify(execFile);

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

/**
 * The test build of the origin (tsc with tsconfig.build.json), reused while the sources are unchanged: in
 * `<this>-<fingerprint>` (cachedOnce).
 */
export const TEST_BUILD_DIR = join(PROJECT_ROOT, 'node_modules/.cache/app-server-test-build');

/**
 * The PGlite templates, reused while the migrations, the demo schema and the PGlite version are unchanged: in
 * `<this>-<fingerprint>` (cachedOnce).
 */
export const PGLITE_TEMPLATE_DIR = join(PROJECT_ROOT, 'node_modules/.cache/app-server-test-pglite');

/** The files inside a PGlite template folder. */
export const PGLITE_TEMPLATE_FILES = (dir: string) => ({
  /** Migrated app DB (a PGlite data directory). */
  app: join(dir, 'app'),
  /** Embedded legacy DB with its demo schema. */
  legacy: join(dir, 'legacy'),
  /** dumpDataDir() tar of `app`, for in-memory PGlite (loadDataDir). */
  appDump: join(dir, 'app.tar'),
});

/** Name of the migrated template database on the run's PostgreSQL server. */
export const MIGRATED_TEMPLATE_DATABASE = 'app_migrated_template';

/**
 * Creates and migrates the template database, then closes it to connections: CREATE DATABASE … TEMPLATE
 * refuses a template that anyone is connected to, so nothing may open it afterwards.
 */
export async function createMigratedTemplateDatabase(serverUrl: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${MIGRATED_TEMPLATE_DATABASE}`);
    const url = new URL(serverUrl);
    url.pathname = `/${MIGRATED_TEMPLATE_DATABASE}`;
    const client = createPostgresClient({ url: url.toString(), label: 'template', max: 1 });
    try {
      await migrateAppDatabase(client);
    } finally {
      await client.close();
    }
    await admin.unsafe(
      `alter database ${MIGRATED_TEMPLATE_DATABASE} with is_template true allow_connections false`,
    );
  } finally {
    await admin.end();
  }
  return MIGRATED_TEMPLATE_DATABASE;
}

/**
 * The PGlite templates (template-paths.ts): the app DB migrated, the legacy DB with its demo schema, and a
 * dump of the app DB for in-memory clients. Kept in node_modules/.cache and reused by later runs while the
 * migrations, the demo schema and the PGlite version stay the same; made by the first test file that needs
 * them. Returns their folder.
 */
export function ensurePgliteTemplates(): Promise<string> {
  const hash = createHash('sha256');
  hashTree(hash, join(PROJECT_ROOT, 'migrations/app'), true);
  hash.update(readFileSync(join(PROJECT_ROOT, 'src/db/legacy-demo.ts')));
  hash.update(readFileSync(join(PROJECT_ROOT, 'node_modules/@electric-sql/pglite/package.json')));
  return cachedOnce(PGLITE_TEMPLATE_DIR, hash.digest('hex'), async (dir) => {
    const files = PGLITE_TEMPLATE_FILES(dir);
    const app = await createPgliteClient({ dataDir: files.app, label: 'template:app' });
    const legacy = await createPgliteClient({ dataDir: files.legacy, label: 'template:legacy' });
    try {
      await Promise.all([migrateAppDatabase(app), ensureLegacyDemoSchema(legacy)]);
    } finally {
      await Promise.all([app.close(), legacy.close()]);
    }
    // The dump (a tar of the data directory) is taken after the close, so it holds the checkpointed files.
    const reopened = await PGlite.create({ dataDir: files.app });
    try {
      const dump = await reopened.dumpDataDir('none');
      writeFileSync(files.appDump, Buffer.from(await dump.arrayBuffer()));
    } finally {
      await reopened.close();
    }
  });
}

/**
 * The origin built with tsconfig.build.json (what `npm run build` emits), kept in node_modules/.cache so
 * that migrations/ and views/static are found above it, as they are above dist/. Rebuilt only when a file
 * the build reads changed; made by the first test file that needs it. Returns the build folder (its entry:
 * src/entry/node.js).
 */
export function ensureTestBuild(): Promise<string> {
  const hash = createHash('sha256');
  // Size and mtime: a checkout or an edit changes them, and no 200 files need to be read.
  hashTree(hash, join(PROJECT_ROOT, 'src'), false);
  hashTree(hash, join(PROJECT_ROOT, 'views'), false);
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    hash.update(readFileSync(join(PROJECT_ROOT, file)));
  }
  return cachedOnce(TEST_BUILD_DIR, hash.digest('hex'), async (dir) => {
    await run(
      process.execPath,
      [join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dir],
      { cwd: PROJECT_ROOT },
    );
  });
}

function hashTree(hash: ReturnType<typeof createHash>, dir: string, contents: boolean): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hashTree(hash, path, contents);
    else if (contents) hash.update(`${path}\0`).update(readFileSync(path));
    else {
      const stat = statSync(path);
      hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  }
}

/** A cache folder not used for this long is removed when another one of its kind is made. */
const UNUSED_CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Makes `<base>-<first 12 hex of fingerprint>` with `produce` unless it exists already, and returns it. One
 * folder per fingerprint, so checkouts that share node_modules (worktrees) each keep theirs instead of
 * rebuilding over each other's. Test files run in several worker processes: the first to need it takes a
 * lock (an atomic mkdir) and produces into a fresh folder renamed into place; the others wait for the lock to
 * go, then use the result. Each use touches the folder's stamp; folders of the same kind unused for a day
 * are removed when a new one is made.
 */
async function cachedOnce(base: string, fingerprint: string, produce: (dir: string) => Promise<void>) {
  const dir = `${base}-${fingerprint.slice(0, 12)}`;
  const stamp = join(dir, '.fingerprint');
  const current = () => existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint;
  const lock = `${dir}.lock`;
  mkdirSync(dirname(base), { recursive: true });
  for (;;) {
    if (current()) {
      touch(stamp);
      return dir;
    }
    if (takeLock(lock)) break;
    await until(() => !existsSync(lock) || releaseIfAbandoned(lock), {
      timeoutMs: 300_000,
      intervalMs: 100,
      what: `${dir} being made by another test worker`,
    });
  }
  try {
    if (current()) return dir;
    pruneUnused(base);
    const fresh = mkdtempSync(`${dir}.new-`);
    try {
      await produce(fresh);
      writeFileSync(join(fresh, '.fingerprint'), fingerprint);
      rmSync(dir, { recursive: true, force: true });
      renameSync(fresh, dir);
    } catch (error) {
      rmSync(fresh, { recursive: true, force: true });
      throw error;
    }
    return dir;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function touch(file: string): void {
  const now = new Date();
  utimesSync(file, now, now);
}

/** Removes `<base>-<12 hex>` folders whose stamp was not touched for a day (and leftovers without one). */
function pruneUnused(base: string): void {
  const prefix = `${basename(base)}-`;
  const parent = dirname(base);
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{12}$/.test(name.slice(prefix.length))) continue;
    const folder = join(parent, name);
    const stamp = join(folder, '.fingerprint');
    const lastUsed = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
    if (Date.now() - lastUsed > UNUSED_CACHE_MAX_AGE_MS && !existsSync(`${folder}.lock`)) {
      rmSync(folder, { recursive: true, force: true });
    }
  }
}

/** Whoever creates the lock folder holds the lock; it records its pid so an abandoned lock can be freed. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

/** Removes a lock whose holder is no longer running (a run that was killed half way). */
function releaseIfAbandoned(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // being created right now, or already gone
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    rmSync(lock, { recursive: true, force: true });
    return true;
  }
}
