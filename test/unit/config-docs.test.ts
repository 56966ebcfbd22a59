// docs/config/env_variables.md and the env templates must agree with the schema (src/config/env.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_KEYS, parseConfig } from '../../src/config/index.ts';
import { parseEnvFile } from '../support/sizes.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** Names from table rows whose first cell is a backticked UPPER_CASE name (the format the doc describes). */
function documentedVariables(markdown: string): string[] {
  return [...markdown.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((match) => match[1]!);
}

/** KEY=VALUE lines of an env file; commented-out assignments count as keys too. */
function templateEntries(text: string): { key: string; value: string; commented: boolean }[] {
  const entries = [];
  for (const line of text.split('\n')) {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) entries.push({ key: match[2]!, value: match[3]!, commented: Boolean(match[1]) });
  }
  return entries;
}

/** The active assignments, read the way bash and compose read them (quotes removed; see env-templates.test). */
const activeEnv = (text: string) => parseEnvFile(text);

describe('docs/config/env_variables.md', () => {
  const documented = documentedVariables(read('docs/config/env_variables.md'));

  it('documents every variable of the schema', () => {
    const missing = ENV_KEYS.filter((key) => !documented.includes(key));
    expect(missing, 'variables in src/config/env.ts without a row in the doc').toEqual([]);
  });

  it('documents no variable the schema does not know', () => {
    const unknown = documented.filter((name) => !(ENV_KEYS as string[]).includes(name));
    expect(unknown, 'rows in the doc for variables src/config/env.ts does not have').toEqual([]);
  });

  it('has one row per variable', () => {
    const duplicates = documented.filter((name, index) => documented.indexOf(name) !== index);
    expect(duplicates).toEqual([]);
  });

  it('reads table rows in the documented format only', () => {
    expect(
      documentedVariables('| `FOO_BAR` | `1` | text |\n| Name | Default | x |\n| `lower` | a | b |'),
    ).toEqual(['FOO_BAR']);
  });
});

/** Compose-only variables (interpolation, docs/deploy/local.md "Compose variables"): the aws template sets some. */
function composeVariables(): string[] {
  const text = read('docs/deploy/local.md');
  const table = text.slice(text.indexOf('## Compose variables'), text.indexOf('## nginx'));
  return [...table.matchAll(/^\|([^|]+)\|/gm)].flatMap((row) =>
    [...row[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!),
  );
}

describe('env templates', () => {
  for (const file of ['.env.local.example', '.env.aws.example']) {
    it(`${file} names only known variables (the origin's, or documented compose variables)`, () => {
      const entries = templateEntries(read(file));
      expect(entries.length).toBeGreaterThan(10);
      const known = [...ENV_KEYS, ...composeVariables()];
      const unknown = entries.map((entry) => entry.key).filter((key) => !known.includes(key));
      expect(unknown).toEqual([]);
    });
  }

  it('.env.local.example loads as it is', () => {
    const { config } = parseConfig(activeEnv(read('.env.local.example')));
    expect(config.appEnv).toBe('local');
    expect(config.http.corsOrigins).toHaveLength(3);
    expect(config.files.maxFileSize).toBe(10_485_760);
  });

  it('.env.aws.example is refused until its placeholders are replaced', () => {
    const env = activeEnv(read('.env.aws.example'));
    expect(() => parseConfig(env)).toThrow(ConfigError);
    const filled = {
      ...env,
      DB_APP_URL: 'postgresql://app_user:Rds-Passw0rd-1@app.cluster.rds.amazonaws.com:5432/app_db',
      DB_LEGACY_URL:
        'postgresql://legacy_user:Rds-Passw0rd-2@legacy.cluster.rds.amazonaws.com:5432/legacy_db',
      ADMIN_PASSWORD: 'a-long-Adm1n-password',
      JWT_SECRET_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef',
    };
    const { config } = parseConfig(filled);
    expect(config.isProduction).toBe(true);
    expect(config.files.maxFileSize).toBe(52_428_800);
  });

  it('holds no real secret: every password and secret is a placeholder or a known default', () => {
    for (const file of ['.env.local.example', '.env.aws.example']) {
      const env = Object.fromEntries(
        templateEntries(read(file)).map((entry) => [entry.key, parseEnvFile(`X=${entry.value}`).X ?? '']),
      );
      for (const key of ['ADMIN_PASSWORD', 'JWT_SECRET_KEY']) {
        if (env[key] === undefined) continue;
        // Refused in production: a placeholder or a default.
        expect(() => parseConfig({ ...realisticProduction(), [key]: env[key] }), `${file} ${key}`).toThrow(
          new RegExp(`^${key}:`),
        );
      }
    }
  });
});

function realisticProduction(): Record<string, string> {
  return {
    APP_ENV: 'production',
    DB_APP_URL: 'postgresql://app:Passw0rd-db-1@db.internal:5432/app',
    REDIS_URL: 'redis://redis:6379/0',
    ADMIN_PASSWORD: 'a-long-Adm1n-password',
    JWT_SECRET_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef',
    METRICS_PORT: '9464',
  };
}
