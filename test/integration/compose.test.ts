// Every compose combination validates with the real docker-compose (v1 here; the files avoid keys v1 lacks)
// against placeholder env files, the expected services and volumes appear per combination, no secret is
// written in a compose file, and nginx's body limit stays in step with MAX_FILE_SIZE.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';
import { findBinary } from '../support/binaries.ts';
import { composeMaxFileSizeDefault, nginxBodyLimitFor } from '../support/body-limit.ts';
import { parseEnvFile, parseNginxSize } from '../support/sizes.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const dockerDir = join(root, 'docker');
const composeBinary = findBinary('docker-compose', ['/usr/bin', '/usr/local/bin']);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (!composeBinary && !inCi)
  console.warn('[compose] SKIPPING: docker-compose not found (apt-get install docker-compose)');

const tmp = mkdtempSync(join(tmpdir(), 'app-server-compose-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Placeholder values only: what an operator's --env-file provides for interpolation. */
const PLACEHOLDER_ENV = [
  'POSTGRES_PASSWORD=placeholder-postgres-password',
  'ADMIN_PASSWORD=placeholder-admin-password',
  'JWT_SECRET_KEY=placeholder-jwt-secret',
  'UPSTASH_REDIS_REST_TOKEN=placeholder-upstash-token',
  'GRAFANA_ADMIN_PASSWORD=placeholder-grafana-password',
  'TLS_DOMAIN=app.example.com',
  'ACME_EMAIL=ops@example.com',
  '',
].join('\n');
const placeholderEnv = join(tmp, 'placeholder.env');
writeFileSync(placeholderEnv, PLACEHOLDER_ENV);

const VARIANTS = ['local', 'aws'] as const;
const PROFILE_SETS = [[], ['edge'], ['monitoring'], ['edge', 'monitoring'], ['logs']];
const ALL_PROFILES = ['edge', 'monitoring', 'logs'];

async function compose(
  variant: (typeof VARIANTS)[number],
  profiles: string[],
  args: string[],
  envFile = placeholderEnv,
) {
  const files = ['-f', join(dockerDir, 'compose.base.yml'), '-f', join(dockerDir, `compose.${variant}.yml`)];
  const profileArgs = profiles.flatMap((profile) => ['--profile', profile]);
  return run(composeBinary!, [...files, '--env-file', envFile, ...profileArgs, ...args], {
    // The origin's env_file (.env.local/.env.aws at the repo root) is pointed at the same placeholder file.
    env: { ...process.env, APP_ENV_FILE: envFile },
    encoding: 'utf8',
  });
}

interface RenderedService {
  profiles?: string[];
  logging?: { driver: string; options: Record<string, string> };
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}
interface Rendered {
  services: Record<string, RenderedService>;
  volumes: Record<string, unknown>;
}

const renderings = new Map<string, Promise<Rendered>>();

/** `docker-compose config`, parsed; one run per variant and env file (docker-compose v1 is slow to start). */
function rendered(variant: (typeof VARIANTS)[number], envFile = placeholderEnv): Promise<Rendered> {
  const key = `${variant}|${envFile}`;
  if (!renderings.has(key)) {
    renderings.set(
      key,
      compose(variant, ALL_PROFILES, ['config'], envFile).then(({ stdout }) => parseYaml(stdout) as Rendered),
    );
  }
  return renderings.get(key)!;
}

/** The services `up` starts: those without a profile or with a chosen one. */
async function activeServices(variant: (typeof VARIANTS)[number], profiles: string[]) {
  const { services } = await rendered(variant);
  return Object.entries(services)
    .filter(([, service]) => !service.profiles || service.profiles.some((p) => profiles.includes(p)))
    .map(([name]) => name)
    .sort();
}

describe.skipIf(!composeBinary && !inCi)('docker compose files', () => {
  it('has docker-compose (CI installs it)', () => {
    expect(composeBinary, 'docker-compose binary').toBeDefined();
  });

  for (const variant of VARIANTS) {
    for (const profiles of PROFILE_SETS) {
      it(`base + ${variant}${profiles.map((p) => ` --profile ${p}`).join('')} validates`, async () => {
        await compose(variant, profiles, ['config', '-q']);
        const services = await activeServices(variant, profiles);
        const expected = ['api', 'nginx', 'redis'];
        if (variant === 'local') expected.push('postgres');
        if (variant === 'aws') expected.push('certbot');
        if (profiles.includes('edge')) expected.push('srh');
        if (profiles.includes('logs')) expected.push('loki', 'promtail');
        if (profiles.includes('monitoring'))
          expected.push('alertmanager', 'grafana', 'postgres-exporter', 'prometheus', 'redis-exporter');
        expect(services).toEqual(expected.sort());
      });
    }
  }

  it('persists files, Redis (append-only) and secrets in named volumes', async () => {
    for (const variant of VARIANTS) {
      const config = await rendered(variant);
      expect(Object.keys(config.volumes)).toEqual(
        expect.arrayContaining(['files-data', 'redis-data', 'secrets-data']),
      );
      const { redis, api, nginx } = config.services;
      expect(redis!.command!.join(' ')).toContain('--appendonly yes');
      expect(redis!.volumes).toContain('redis-data:/data:rw');
      expect(api!.volumes).toEqual(
        expect.arrayContaining(['files-data:/app/data/files:rw', 'secrets-data:/app/secrets:rw']),
      );
      expect(api!.environment).toMatchObject({ HOST: '0.0.0.0', FILES_BASE_DIR: '/app/data/files' });
      expect(nginx!.volumes!.join(' ')).toContain('/nginx/nginx.conf:/etc/nginx/nginx.conf:ro');
      expect(nginx!.depends_on).toMatchObject({ api: { condition: 'service_healthy' } });
    }
    const local = await rendered('local');
    expect(local.services.api!.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(local.services.postgres!.healthcheck).toBeDefined();
    expect(local.services.api!.environment).toMatchObject({
      APP_ENV: 'local',
      MIGRATE_ON_START: 'true',
      DB_APP_URL: 'postgresql://app:placeholder-postgres-password@postgres:5432/app_db',
      DB_LEGACY_URL: 'postgresql://app_legacy:placeholder-postgres-password@postgres:5432/legacy_db',
    });
    expect(local.services.postgres!.volumes!.join(' ')).toContain(
      '/docs/db/legacy_role.sql:/legacy-role/legacy_role.sql:ro',
    );
    const aws = await rendered('aws');
    expect(aws.services.postgres).toBeUndefined();
    expect(aws.services.api!.environment).toMatchObject({ APP_ENV: 'aws', MIGRATE_ON_START: 'false' });
  });

  it('rotates every container’s log (json-file, LOG_MAX_SIZE x LOG_MAX_FILE)', async () => {
    for (const variant of VARIANTS) {
      const { services } = await rendered(variant);
      for (const [name, service] of Object.entries(services)) {
        expect(service.logging, `${variant}: ${name}`).toEqual({
          driver: 'json-file',
          options: { 'max-size': '20m', 'max-file': '5' },
        });
      }
    }
  });

  it('points Prometheus at the rules and Alertmanager, and renders Alertmanager’s config from ALERT_*', async () => {
    const { services } = await rendered('aws');
    expect(services.prometheus!.volumes).toContain(`${dockerDir}/monitoring/rules:/etc/prometheus/rules:ro`);
    const alertmanager = services.alertmanager!;
    expect(alertmanager.volumes).toContain(
      `${dockerDir}/monitoring/alertmanager/render-config.sh:/etc/alertmanager/render-config.sh:ro`,
    );
    expect(alertmanager.command!.join(' ')).toContain('render-config.sh /alertmanager/alertmanager.yml');
    expect(Object.keys(alertmanager.environment!)).toEqual(
      expect.arrayContaining(['ALERT_DISCORD_WEBHOOK_URL', 'ALERT_SLACK_WEBHOOK_URL', 'ALERT_EMAIL_TO']),
    );
    const local = await rendered('local');
    expect(local.services['postgres-exporter']!.environment).toMatchObject({
      DATA_SOURCE_URI: 'postgres:5432/app_db?sslmode=disable',
      DATA_SOURCE_PASS: 'placeholder-postgres-password',
    });
  });

  it('terminates TLS in nginx on aws: TLS templates, certificate volume, certbot first', async () => {
    const { services, volumes } = await rendered('aws');
    const { nginx, certbot } = services;
    expect(nginx!.volumes).toEqual(
      expect.arrayContaining([
        `${root}/nginx/templates-tls:/etc/nginx/templates:ro`,
        `${root}/nginx/snippets:/etc/nginx/snippets:ro`,
        `${root}/nginx/entrypoint/40-tls-reload.sh:/docker-entrypoint.d/40-tls-reload.sh:ro`,
        'letsencrypt:/etc/letsencrypt:ro',
        'acme-webroot:/var/www/acme:ro',
      ]),
    );
    // The plain template is replaced, not mounted beside it.
    expect(nginx!.volumes!.filter((v) => v.includes(':/etc/nginx/templates:'))).toHaveLength(1);
    expect(nginx!.environment).toMatchObject({
      NGINX_SERVER_NAME: 'app.example.com',
      NGINX_HTTPS_LISTEN: '443',
      NGINX_TLS_CERTIFICATE: '/etc/letsencrypt/app-server/current/fullchain.pem',
      NGINX_ACME_ROOT: '/var/www/acme',
    });
    expect(nginx!.depends_on).toMatchObject({ certbot: { condition: 'service_healthy' } });
    expect(certbot!.volumes).toEqual(
      expect.arrayContaining(['letsencrypt:/etc/letsencrypt:rw', 'acme-webroot:/var/www/acme:rw']),
    );
    expect(certbot!.environment).toMatchObject({
      TLS_DOMAIN: 'app.example.com',
      ACME_EMAIL: 'ops@example.com',
    });
    expect(Object.keys(volumes)).toEqual(expect.arrayContaining(['letsencrypt', 'acme-webroot']));
    // The local file serves plain HTTP.
    const local = await rendered('local');
    expect(local.services.nginx!.volumes).toContain(`${root}/nginx/templates:/etc/nginx/templates:ro`);
    expect(local.services.certbot).toBeUndefined();
  });

  it('refuses to render the aws file without TLS_DOMAIN', async () => {
    const withoutDomain = join(tmp, 'without-domain.env');
    writeFileSync(withoutDomain, 'ACME_EMAIL=ops@example.com\n');
    await expect(compose('aws', [], ['config', '-q'], withoutDomain)).rejects.toMatchObject({
      stderr: expect.stringContaining('set TLS_DOMAIN'),
    });
  });

  it('runs the local database without a password only when the env file sets none', async () => {
    const noPassword = join(tmp, 'no-password.env');
    writeFileSync(noPassword, 'ADMIN_PASSWORD=placeholder\n');
    const open = await rendered('local', noPassword);
    expect(open.services.postgres!.environment).toMatchObject({ POSTGRES_HOST_AUTH_METHOD: 'trust' });
    expect(open.services.api!.environment!.DB_APP_URL).toBe('postgresql://app:@postgres:5432/app_db');
    const withPassword = join(tmp, 'with-password.env');
    writeFileSync(withPassword, 'POSTGRES_PASSWORD=local-pw\nPOSTGRES_HOST_AUTH_METHOD=scram-sha-256\n');
    const closed = await rendered('local', withPassword);
    expect(closed.services.postgres!.environment).toMatchObject({
      POSTGRES_PASSWORD: 'local-pw',
      POSTGRES_HOST_AUTH_METHOD: 'scram-sha-256',
    });
    expect(closed.services.api!.environment!.DB_APP_URL).toBe(
      'postgresql://app:local-pw@postgres:5432/app_db',
    );
  });

  for (const variant of VARIANTS) {
    const example = join(root, `.env.${variant}.example`);
    it.runIf(existsSync(example))(`validates with the repository's .env.${variant}.example`, async () => {
      await compose(variant, ['edge', 'monitoring'], ['config', '-q'], example);
    });
  }
});

describe('no secret is written in a compose file (seed 003 C7)', () => {
  const composeFiles = readdirSync(dockerDir).filter((name) => /^compose\..*\.ya?ml$/.test(name));
  const SECRET_KEY =
    /^\s*-?\s*[A-Z0-9_]*(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|ACCESS_KEY|API_KEY)[A-Z0-9_]*\s*[:=]\s*(.*)$/;

  it.each(composeFiles)('%s', (name) => {
    const lines = readFileSync(join(dockerDir, name), 'utf8').split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim().startsWith('#')) continue;
      const where = `${name}:${index + 1}: ${line.trim()}`;
      const secret = SECRET_KEY.exec(line);
      if (secret) {
        // Only interpolation from the env file, with no default or an empty one.
        expect(secret[2]!.trim(), where).toMatch(/^"?\$\{[A-Z0-9_]+(:-|:\?[^}]*)?\}"?$/);
      }
      const credentials = /:\/\/(\$\{[^}]*\}|[^:/\s@]+):([^@\s]+)@/.exec(line);
      if (credentials) expect(credentials[2], where).toMatch(/^\$\{[A-Z0-9_]+(:-|:\?[^}]*)?\}$/);
    }
  });
});

describe("nginx's body limit and MAX_FILE_SIZE stay in step", () => {
  const base = readFileSync(join(dockerDir, 'compose.base.yml'), 'utf8');
  const MIB = 1024 * 1024;

  /** A multipart upload of a MAX_FILE_SIZE file must pass nginx; much more than that should not. */
  const expectInStep = (nginxLimit: number, maxFileSize: number, where: string) => {
    expect(nginxLimit, `${where}: nginx admits a full-size upload`).toBeGreaterThan(maxFileSize);
    expect(nginxLimit, `${where}: nginx is not far above MAX_FILE_SIZE`).toBeLessThanOrEqual(
      maxFileSize + 2 * MIB,
    );
  };

  it("compose hands nginx the config's default MAX_FILE_SIZE, and the entrypoint adds the multipart margin", () => {
    const { config } = parseConfig({});
    const composeDefault = composeMaxFileSizeDefault(base);
    expect(Number(composeDefault)).toBe(config.files.maxFileSize);
    expectInStep(
      parseNginxSize(nginxBodyLimitFor({ MAX_FILE_SIZE: composeDefault })),
      config.files.maxFileSize,
      'default',
    );
  });

  it("reads the seed's commented values and honours an explicit NGINX_CLIENT_MAX_BODY_SIZE", () => {
    expect(nginxBodyLimitFor({ MAX_FILE_SIZE: '52428800  # 50MB' })).toBe(String(52428800 + MIB));
    expect(nginxBodyLimitFor({})).toBe(String(10485760 + MIB));
    expect(nginxBodyLimitFor({ MAX_FILE_SIZE: '10485760', NGINX_CLIENT_MAX_BODY_SIZE: '64m' })).toBe('64m');
    expect(nginxBodyLimitFor({ MAX_FILE_SIZE: 'ten megabytes' })).toBe('11m');
  });

  for (const variant of VARIANTS) {
    const example = join(root, `.env.${variant}.example`);
    it.runIf(existsSync(example))(`.env.${variant}.example gives nginx a matching limit`, () => {
      const values = parseEnvFile(readFileSync(example, 'utf8'));
      const maxFileSize = parseConfig({ MAX_FILE_SIZE: values.MAX_FILE_SIZE }).config.files.maxFileSize;
      const limit = nginxBodyLimitFor({
        MAX_FILE_SIZE: values.MAX_FILE_SIZE,
        NGINX_CLIENT_MAX_BODY_SIZE: values.NGINX_CLIENT_MAX_BODY_SIZE,
      });
      expectInStep(parseNginxSize(limit), maxFileSize, `.env.${variant}.example`);
    });
  }
});
