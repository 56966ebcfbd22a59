// Clients generated from the served document, as a client team would make them: openapi-typescript (+
// openapi-fetch), @hey-api/openapi-ts and orval, each with its default options, compiled under tsc --strict
// together with a small program that uses them; the openapi-fetch program then runs a CRUD round trip against
// the origin over HTTP (every answer checked by the conformance layer). Redocly's recommended lint runs on the
// same document.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApi, type TestApi } from '../support/api-app.ts';
import { serveOnLoopback } from '../support/serve-app.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin');
const GENERATORS = join(ROOT, 'scripts/client-generators');

/** openapi-typescript and @hey-api/openapi-ts need TypeScript 5 (docs/dev/dependencies.md): their own install. */
async function ensureGenerators(): Promise<void> {
  if (existsSync(join(GENERATORS, 'node_modules/.package-lock.json'))) return;
  await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: GENERATORS,
    maxBuffer: 16 * 1024 * 1024,
  });
}

async function exec(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  try {
    return await run(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

// Uses the openapi-typescript types through openapi-fetch. Compiled with the generated code under --strict,
// so a request type that demands a defaulted field, or a response type that lost a field, fails the build.
const ROUND_TRIP = `
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

type Job = components['schemas']['Job'];

const baseUrl = process.env.BASE_URL!;
const anonymous = createClient<paths>({ baseUrl });
const login = await anonymous.POST('/api/v1/auth/token', {
  body: { username: process.env.ADMIN_USERNAME!, password: process.env.ADMIN_PASSWORD! },
});
if (!login.data) throw new Error('login failed: ' + JSON.stringify(login.error));
const api = createClient<paths>({ baseUrl, headers: { Authorization: 'Bearer ' + login.data.access_token } });

// Only the required fields: everything with a server default stays optional in the generated type.
const created = await api.POST('/api/v1/jobs', {
  body: { name: 'generated-client-job', func: 'app.jobs.heartbeat:hello_job', cron: '*/5 * * * *' },
});
if (!created.data) throw new Error('create failed: ' + JSON.stringify(created.error));
const job: Job = created.data;
const id = job.id;

const read = await api.GET('/api/v1/jobs/{id}', { params: { path: { id } } });
const etag = read.response.headers.get('etag') ?? '';
const updated = await api.PATCH('/api/v1/jobs/{id}', {
  params: { path: { id }, header: { 'if-match': etag } },
  body: { description: 'changed by a generated client' },
});
const stale = await api.PATCH('/api/v1/jobs/{id}', {
  params: { path: { id }, header: { 'if-match': etag } },
  body: { description: 'a stale write' },
});
const first = await api.POST('/api/v1/jobs/{id}/run', {
  params: { path: { id }, header: { 'idempotency-key': 'generated-1' } },
});
const again = await api.POST('/api/v1/jobs/{id}/run', {
  params: { path: { id }, header: { 'idempotency-key': 'generated-1' } },
});
const listed = await api.GET('/api/v1/jobs', { params: { query: { q: 'generated-client' } } });
const archived = await api.POST('/api/v1/jobs/{id}/archive', { params: { path: { id } } });
const deleted = await api.DELETE('/api/v1/jobs/{id}', { params: { path: { id } } });
const missing = await api.GET('/api/v1/jobs/{id}', { params: { path: { id: 'not-a-uuid' } } });

console.log(JSON.stringify({
  created: created.response.status,
  location: created.response.headers.get('location'),
  version: job.version,
  read: read.data?.name,
  etag,
  updated: updated.data?.description,
  updatedVersion: updated.data?.version,
  stale: stale.response.status,
  staleCode: stale.error?.error_code,
  first: first.response.status,
  again: again.response.status,
  sameRun: first.data?.id === again.data?.id,
  listed: listed.data?.items.map((item) => item.name),
  archived: archived.data?.archived_at !== null,
  deleted: deleted.response.status,
  deletedAllow: deleted.response.headers.get('allow'),
  missing: missing.response.status,
}));
`;

// The other generators' output, used the way their READMEs show, with the minimal job body.
const HEY_API_USE = `
import { client } from './hey-api/client.gen';
import { createJob, listJobs } from './hey-api/sdk.gen';
import type { JobCreate } from './hey-api/types.gen';

client.setConfig({ baseUrl: 'http://127.0.0.1:1' });
const body: JobCreate = { name: 'n', func: 'f', cron: '* * * * *' };
export const calls = [createJob({ body }), listJobs({ query: { page: 1 } })];
`;
const ORVAL_USE = `
import { createJob, type JobCreate } from './orval/api';

const body: JobCreate = { name: 'n', func: 'f', cron: '* * * * *' };
export const call = createJob(body);
`;

/** tsc --strict (the project's TypeScript) over the given files of the directory. */
async function compileStrict(dir: string, name: string, include: string[]) {
  writeFileSync(
    join(dir, name),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        noEmit: true,
        skipLibCheck: true,
      },
      include,
    }),
  );
  await exec(join(BIN, 'tsc'), ['-p', name], dir);
}

/** The runnable examples of docs/api/client-guide.md: each ```ts block after an `<!-- example: name -->`. */
function guideExamples(): { name: string; code: string }[] {
  const guide = readFileSync(join(ROOT, 'docs/api/client-guide.md'), 'utf8');
  return [...guide.matchAll(/<!-- example: ([\w-]+) -->\n```ts\n([\s\S]*?)```/g)].map((match) => ({
    name: match[1]!,
    code: match[2]!,
  }));
}

describe('clients generated from the served document', () => {
  let api: TestApi;
  let server: { url: string; close: () => Promise<void> };
  let dir: string;

  beforeAll(async () => {
    await ensureGenerators();
    api = await startTestApi();
    server = await serveOnLoopback(api.app.fetch);
    // Inside the project's node_modules, so the generated code resolves openapi-fetch and axios from there.
    mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'node_modules/.cache/generated-clients-'));
    const document = await fetch(`${server.url}/api/openapi.json`);
    expect(document.status).toBe(200);
    writeFileSync(join(dir, 'openapi.json'), await document.text());
    await exec(
      process.execPath,
      [join(GENERATORS, 'node_modules/openapi-typescript/bin/cli.js'), 'openapi.json', '-o', 'schema.d.ts'],
      dir,
    );
  }, 600_000);
  afterAll(async () => {
    await server?.close();
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pass Redocly’s recommended lint with no errors', async () => {
    const { stdout, stderr } = await exec(
      join(BIN, 'redocly'),
      ['lint', 'openapi.json', '--extends=recommended', '--format=stylish'],
      dir,
      { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    );
    expect(`${stdout}${stderr}`).toMatch(/valid|no errors|0 errors/i);
  });

  it('are generated with default options, compile under tsc --strict, and run a CRUD round trip', async () => {
    await exec(
      join(GENERATORS, 'node_modules/.bin/openapi-ts'),
      ['-i', 'openapi.json', '-o', 'hey-api'],
      dir,
    );
    await exec(join(BIN, 'orval'), ['--input', 'openapi.json', '--output', 'orval/api.ts'], dir);
    writeFileSync(join(dir, 'round-trip.mts'), ROUND_TRIP);
    writeFileSync(join(dir, 'hey-api-use.ts'), HEY_API_USE);
    writeFileSync(join(dir, 'orval-use.ts'), ORVAL_USE);
    await compileStrict(dir, 'tsconfig.json', [
      'schema.d.ts',
      'round-trip.mts',
      '*-use.ts',
      'hey-api',
      'orval',
    ]);

    const { stdout } = await exec(join(BIN, 'tsx'), ['round-trip.mts'], dir, {
      BASE_URL: server.url,
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result).toMatchObject({
      created: 201,
      version: 1,
      read: 'generated-client-job',
      etag: '"1"',
      updated: 'changed by a generated client',
      updatedVersion: 2,
      stale: 412,
      staleCode: 'version_conflict',
      first: 202,
      again: 200,
      sameRun: true,
      listed: ['generated-client-job'],
      archived: true,
      deleted: 405,
      missing: 404,
    });
    expect(result.location).toMatch(/^\/api\/v1\/jobs\/[0-9a-f-]{36}$/);
    expect(result.deletedAllow).toContain('PATCH');
  });

  it('run every example of the client guide, compiled under tsc --strict, against the origin', async () => {
    const examples = guideExamples();
    expect(examples.map((example) => example.name)).toEqual([
      'typed-client',
      'authentication',
      'pagination',
      'etags',
      'run-now',
      'rate-limits',
      'errors',
    ]);
    for (const example of examples) writeFileSync(join(dir, `guide-${example.name}.mts`), example.code);
    await compileStrict(dir, 'tsconfig.guide.json', ['schema.d.ts', 'guide-*.mts']);
    for (const example of examples) {
      await exec(join(BIN, 'tsx'), [`guide-${example.name}.mts`], dir, {
        BASE_URL: server.url,
        API_USER: ADMIN.username,
        API_PASSWORD: ADMIN.password,
      });
    }
  });
});
