// The worker bundle as `wrangler deploy --dry-run` builds it: no origin-only module may be in it (the lint
// rule stops direct imports; this catches transitive ones), and its size stays within a budget.
// Contents are read from an unminified build (identifiers intact); the size is the deployed, minified one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, wranglerEnv } from '../support/edge-worker.ts';

/** Text each forbidden package carries in its code; checked against the package first, so it is real. */
const SIGNATURES = [
  { module: 'postgres', text: 'PostgresError', source: 'node_modules/postgres/src/errors.js' },
  { module: 'croner', text: 'Croner', source: 'node_modules/croner/dist/croner.js' },
  { module: 'drizzle-orm', text: 'drizzle:entityKind', source: 'node_modules/drizzle-orm/entity.js' },
  {
    module: '@electric-sql/pglite',
    text: 'PGlite',
    source: 'node_modules/@electric-sql/pglite/dist/index.js',
  },
] as const;

const FORBIDDEN_INPUTS =
  /node_modules\/(postgres|croner|drizzle-orm|@electric-sql\/pglite|ioredis|pino|libpg-query)\/|src\/(db|scheduler|jobs|files|config|kv)\//;

/** Minified bytes the bundle may grow to before this test asks for a look (measured: about 193 KiB). */
const RAW_BUDGET_BYTES = 300 * 1024;

const wrangler = (args: string[]) =>
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/wrangler/bin/wrangler.js'), ...args], {
    cwd: PROJECT_ROOT,
    env: wranglerEnv(),
    stdio: 'pipe',
  });

describe('edge worker bundle (wrangler deploy --dry-run)', () => {
  let outDir: string;
  let bundle: string;
  let deployed: string;
  let inputs: string[];

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'app-server-edge-bundle-'));
    const metafile = join(outDir, 'meta.json');
    wrangler(['deploy', '--dry-run', '--minify=false', '--outdir', outDir, '--metafile', metafile]);
    bundle = readFileSync(join(outDir, 'worker.js'), 'utf8');
    wrangler(['deploy', '--dry-run', '--outdir', join(outDir, 'deployed')]);
    deployed = readFileSync(join(outDir, 'deployed', 'worker.js'), 'utf8');
    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as {
      outputs: Record<string, { inputs: Record<string, unknown> }>;
    };
    inputs = Object.values(meta.outputs).flatMap((output) => Object.keys(output.inputs ?? {}));
  });
  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('builds from the edge sources', () => {
    expect(inputs.some((input) => input.endsWith('src/entry/worker.ts'))).toBe(true);
    expect(inputs.some((input) => input.includes('node_modules/@upstash/ratelimit/'))).toBe(true);
  });

  it('holds no origin-only module (postgres, croner, drizzle, pglite, ioredis, pino, src/db …)', () => {
    expect(inputs.filter((input) => FORBIDDEN_INPUTS.test(input))).toEqual([]);
  });

  it.each(SIGNATURES)('carries no $module code (signature "$text")', ({ text, source }) => {
    expect(readFileSync(join(PROJECT_ROOT, source), 'utf8')).toContain(text);
    expect(bundle).not.toContain(text);
  });

  it('imports no Node built-in (no node:fs, no nodejs_compat)', () => {
    expect(bundle).not.toMatch(/["']node:[a-z_/]+["']/);
    expect(bundle).not.toMatch(/require\(["'](fs|path|net|os|child_process)["']\)/);
    expect(readFileSync(join(PROJECT_ROOT, 'wrangler.toml'), 'utf8')).not.toMatch(/^[^#\n]*nodejs_compat/m);
  });

  it('stays within its size budget, minified as deployed (see docs/performance.md)', () => {
    expect(deployed.length).toBeLessThan(bundle.length);
    const raw = Buffer.byteLength(deployed);
    const gzip = gzipSync(deployed).byteLength;
    console.warn(`[edge bundle] raw ${(raw / 1024).toFixed(1)} KiB, gzip ${(gzip / 1024).toFixed(1)} KiB`);
    expect(raw).toBeLessThan(RAW_BUDGET_BYTES);
  });
});
