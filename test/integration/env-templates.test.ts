// The env templates load the two documented ways and mean the same thing both ways: exported by bash
// (`set -a; . ./FILE; set +a`, README) and interpolated by docker compose's `--env-file` (v1 here; the same
// dotenv rules as v2). Every active variable comes out identical, so quoting is right for both readers.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { findBinary } from '../support/binaries.ts';
import { parseEnvFile } from '../support/sizes.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const composeBinary = findBinary('docker-compose', ['/usr/bin', '/usr/local/bin']);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const tmp = mkdtempSync(join(tmpdir(), 'app-server-env-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TEMPLATES = ['.env.local.example', '.env.aws.example'] as const;

/** The variables a template assigns (not the commented-out ones). */
function assignedKeys(file: string): string[] {
  return Object.keys(parseEnvFile(readFileSync(join(root, file), 'utf8')));
}

/** What `set -a; . ./FILE; set +a` exports, from a shell that starts with an empty environment. */
async function sourcedByBash(file: string): Promise<Record<string, string>> {
  const keys = assignedKeys(file);
  const script = `set -eu; set -a; . ./${file}; set +a; for k in ${keys.join(' ')}; do printf '%s\\0%s\\0' "$k" "\${!k}"; done`;
  const { stdout } = await run('bash', ['-c', script], { cwd: root, env: { PATH: process.env.PATH ?? '' } });
  const parts = stdout.split('\0');
  const values: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) values[parts[i]!] = parts[i + 1]!;
  return values;
}

/** What compose interpolates from `--env-file FILE` into `${KEY}` references. */
async function interpolatedByCompose(file: string): Promise<Record<string, string>> {
  const keys = assignedKeys(file);
  const environment = Object.fromEntries(keys.map((key) => [key, `\${${key}}`]));
  const composeFile = join(tmp, `${file.replaceAll('.', '_')}.yml`);
  writeFileSync(
    composeFile,
    JSON.stringify({ version: '3.8', services: { probe: { image: 'busybox', environment } } }),
  );
  const { stdout } = await run(
    composeBinary!,
    ['-f', composeFile, '--env-file', join(root, file), 'config'],
    {
      cwd: tmp,
      env: { PATH: process.env.PATH ?? '' },
    },
  );
  const rendered = parseYaml(stdout) as { services: { probe: { environment: Record<string, string> } } };
  return Object.fromEntries(
    Object.entries(rendered.services.probe.environment).map(([k, v]) => [k, String(v)]),
  );
}

describe('env templates', () => {
  for (const file of TEMPLATES) {
    it(`${file} loads in bash with set -a; . ./FILE; set +a`, async () => {
      const values = await sourcedByBash(file);
      expect(values).toEqual(parseEnvFile(readFileSync(join(root, file), 'utf8')));
      // The values that need quoting come through whole.
      expect(values.PROJECT_NAME).toBe('App Server');
      expect(JSON.parse(values.CORS_ORIGINS!)).toBeInstanceOf(Array);
      expect(values.MAX_FILE_SIZE).toMatch(/^\d+$/);
    });

    it.skipIf(!composeBinary && !inCi)(
      `${file} loads with compose --env-file, as bash reads it`,
      async () => {
        const [bash, compose] = await Promise.all([sourcedByBash(file), interpolatedByCompose(file)]);
        expect(compose).toEqual(bash);
      },
    );
  }
});
