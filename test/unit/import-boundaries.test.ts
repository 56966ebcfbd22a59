// The import boundaries of ARCHITECTURE.md, as enforced by biome.json: probe files in a scratch copy of the
// layout are linted with the project's own config, and each forbidden import must be reported.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/origin-process.ts';

const run = promisify(execFile);

/** Probe file → one import per line; each line is checked on its own. */
const PROBES: Record<string, string[]> = {
  'src/edge/probe.ts': [
    "import postgres from 'postgres';",
    "import { PGlite } from '@electric-sql/pglite';",
    "import { drizzle } from 'drizzle-orm/postgres-js';",
    "import { Cron } from 'croner';",
    "import { Redis } from 'ioredis';",
    "import { readFileSync } from 'node:fs';",
    "import { createHash } from 'node:crypto';",
    "import { createDatabases } from '../db/index.ts';",
    // The edge keeps full zod (and errors.ts, which carries the OpenAPI schema) out of its bundle.
    "import { z } from '@hono/zod-openapi';",
    "import { ErrorEnvelopeSchema } from '../http/errors.ts';",
    "import { migrateAppDatabase } from '../db/migrate.ts';",
    "import * as db from '../db';",
    "import { startScheduler } from '../scheduler/index.ts';",
    "import { jobs } from '../job-functions/registry.ts';",
    "import { storeFile } from '../features/files/file-store.ts';",
    "import { createJobsService } from '../features/jobs/jobs.service.ts';",
  ],
  'src/entry/worker.ts': [
    "import { createDatabases } from '../db/index.ts';",
    "import { hostname } from 'node:os';",
  ],
  'views/pages/probe.tsx': [
    "import { createDatabases } from '../../src/db/index.ts';",
    "import { claimTick } from '../../src/scheduler/claim.ts';",
    "import { jobs } from '../../src/job-functions/registry.ts';",
    "import { createRedisStore } from '../../src/kv/redis.ts';",
    "import postgres from 'postgres';",
    "import { Cron } from 'croner';",
  ],
};

/** Imports that must stay allowed. */
const ALLOWED: Record<string, string[]> = {
  'src/features/probe/probe.ts': [
    "import postgres from 'postgres';",
    "import { readFileSync } from 'node:fs';",
    "import { createDatabases } from '../../db/index.ts';",
    "import { startScheduler } from '../../scheduler/index.ts';",
  ],
  'src/edge/allowed.ts': [
    "import { Hono } from 'hono';",
    "import { errorResponse } from '../http/envelope.ts';",
    "import { z } from 'zod/mini';",
  ],
  'views/pages/allowed.tsx': [
    "import type { FC } from 'hono/jsx';",
    "import type { Job } from '../../src/features/jobs/jobs.schemas.ts';",
    "import { APP_VERSION } from '../../src/version.ts';",
  ],
};

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string; start: { line: number } };
}

let scratch: string;
let diagnostics: Diagnostic[];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'app-server-boundaries-'));
  copyFileSync(join(PROJECT_ROOT, 'biome.json'), join(scratch, 'biome.json'));
  for (const [file, lines] of Object.entries({ ...PROBES, ...ALLOWED })) {
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    // Use every import so only the boundary rules can complain.
    const names = lines.map((line) => /import (?:type )?(?:\* as )?\{?\s*(\w+)/.exec(line)![1]);
    writeFileSync(join(scratch, file), `${lines.join('\n')}\n\nexport const used = [${names.join(', ')}];\n`);
  }
  const biome = join(PROJECT_ROOT, 'node_modules/@biomejs/biome/bin/biome');
  const result = await run(
    process.execPath,
    [biome, 'lint', '--vcs-enabled=false', '--reporter=json', '--max-diagnostics=500', 'src', 'views'],
    { cwd: scratch },
  ).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  const report = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as { diagnostics: Diagnostic[] };
  diagnostics = report.diagnostics.filter((d) => d.category === 'lint/style/noRestrictedImports');
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const refusedLines = (file: string) =>
  diagnostics.filter((d) => d.location.path === file).map((d) => d.location.start.line);

describe('import boundaries (biome noRestrictedImports)', () => {
  for (const [file, lines] of Object.entries(PROBES)) {
    it(`refuses every origin-only import in ${file}`, () => {
      const refused = refusedLines(file);
      lines.forEach((line, index) => {
        expect(refused, `${file}: ${line}`).toContain(index + 1);
      });
    });
  }

  for (const [file, lines] of Object.entries(ALLOWED)) {
    it(`allows ${lines.length} imports in ${file}`, () => {
      expect(refusedLines(file)).toEqual([]);
    });
  }

  it('explains the rule in the message', () => {
    const messages = new Set(diagnostics.map((d) => d.message));
    expect([...messages].join('\n')).toMatch(/edge worker/);
    expect([...messages].join('\n')).toMatch(/Views are pure/);
  });
});
