// The scripts deliver.yml/deploy.yml run, against real local servers: the health check waits through an
// unhealthy origin and fails when it never recovers; the Discord notice posts one embed (retrying a 429) and
// is skipped without a webhook; the compose deploy refuses an image reference that could reach the remote
// shell. Every shell script in scripts/ passes shellcheck (CI installs it).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/binaries.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const script = (name: string) => join(root, 'scripts/deploy', name);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const shellcheck = findBinary('shellcheck');
if (!shellcheck && !inCi) console.warn('[deploy-scripts] SKIPPING shellcheck: apt-get install shellcheck');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}
async function runScript(name: string, args: string[], env: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(script(name), args, { env: { PATH: process.env.PATH!, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** An origin stand-in whose /api/v1/health answers the queued reports in order, then the last one forever. */
async function startHealthEndpoint(reports: { status: number; body: string }[]) {
  const paths: string[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    const report = reports.length > 1 ? reports.shift()! : reports[0]!;
    res.writeHead(report.status, { 'content-type': 'application/json' }).end(report.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const report = (status: string) =>
  JSON.stringify({ status, components: {}, version: '9.9.9', uptime_seconds: 1 });
const fast = { HEALTH_INTERVAL: '0' };

describe('scripts/deploy/check-health.sh', () => {
  it('waits through unreachable and unhealthy answers until the origin is healthy', async () => {
    const endpoint = await startHealthEndpoint([
      { status: 502, body: '<html>bad gateway</html>' },
      { status: 503, body: report('unhealthy') },
      { status: 200, body: report('healthy') },
    ]);
    try {
      const outcome = await runScript('check-health.sh', [`${endpoint.url}/`], {
        ...fast,
        HEALTH_ATTEMPTS: '5',
      });
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(outcome.stdout).toContain('healthy');
      expect(outcome.stdout).toContain('version 9.9.9');
      expect(endpoint.paths).toEqual(['/api/v1/health', '/api/v1/health', '/api/v1/health']);
    } finally {
      await endpoint.close();
    }
  });

  it('fails with the last report when the origin stays degraded, unless degraded is accepted', async () => {
    const endpoint = await startHealthEndpoint([{ status: 200, body: report('degraded') }]);
    try {
      const refused = await runScript('check-health.sh', [endpoint.url], { ...fast, HEALTH_ATTEMPTS: '2' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('not healthy after 2 attempts');
      expect(refused.stderr).toContain('"status":"degraded"');
      const accepted = await runScript('check-health.sh', [endpoint.url], {
        ...fast,
        HEALTH_ATTEMPTS: '1',
        HEALTH_ACCEPT: 'healthy degraded',
        API_V1_STR: '/api/v2',
      });
      expect(accepted.code).toBe(0);
      expect(endpoint.paths.at(-1)).toBe('/api/v2/health');
    } finally {
      await endpoint.close();
    }
  });

  it('fails when nothing listens, and refuses a missing URL', async () => {
    const endpoint = await startHealthEndpoint([{ status: 200, body: report('healthy') }]);
    const url = endpoint.url;
    await endpoint.close();
    const outcome = await runScript('check-health.sh', [url], { ...fast, HEALTH_ATTEMPTS: '2' });
    expect(outcome.code).toBe(1);
    expect((await runScript('check-health.sh', [], fast)).code).toBe(2);
  });
});

describe('scripts/deploy/notify-discord.sh', () => {
  let discord: WebhookReceiver;
  beforeAll(async () => {
    discord = await startWebhookReceiver();
  });
  afterAll(() => discord?.close());

  it('posts one embed with the outcome, environment, image and run link, retrying a 429', async () => {
    discord.respondWith(429);
    const image = 'ghcr.io/acme/app-server@sha256:abc"quote';
    const outcome = await runScript('notify-discord.sh', ['failure', 'test', image, 'https://ci/run/1'], {
      DISCORD_WEBHOOK_URL: discord.url('/api/webhooks/1/secret-token'),
      NOTIFY_RETRY_SECONDS: '0',
    });
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(discord.received).toHaveLength(2);
    const payload = JSON.parse(discord.received[1]!.body);
    expect(discord.received[1]!.headers['content-type']).toBe('application/json');
    expect(payload.allowed_mentions).toEqual({ parse: [] });
    expect(payload.embeds[0].title).toBe('❌ deploy failure: test');
    expect(payload.embeds[0].fields).toEqual([
      { name: 'image', value: `\`${image}\`` },
      { name: 'run', value: 'https://ci/run/1' },
    ]);
  });

  it('fails on a refused webhook without printing its URL, and skips without one', async () => {
    discord.respondWith(404);
    const failed = await runScript('notify-discord.sh', ['success', 'production', 'img:1'], {
      DISCORD_WEBHOOK_URL: discord.url('/api/webhooks/1/secret-token'),
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('HTTP 404');
    expect(failed.stdout + failed.stderr).not.toContain('secret-token');
    const before = discord.received.length;
    const skipped = await runScript('notify-discord.sh', ['success', 'production', 'img:1'], {});
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toContain('no Discord notice');
    expect(discord.received).toHaveLength(before);
  });
});

describe('scripts/deploy/deploy-compose.sh', () => {
  it('refuses an image reference with shell characters before any SSH', async () => {
    const outcome = await runScript('deploy-compose.sh', ['ghcr.io/a/b:1;rm -rf /'], {
      DEPLOY_SSH_HOST: 'host.invalid',
      DEPLOY_SSH_KEY: 'key',
      DEPLOY_SSH_KNOWN_HOSTS: 'host.invalid ssh-ed25519 AAAA',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('not an image reference');
  });

  it('requires a pinned host key', async () => {
    const outcome = await runScript('deploy-compose.sh', ['ghcr.io/a/b:1'], {
      DEPLOY_SSH_HOST: 'host.invalid',
      DEPLOY_SSH_KEY: 'key',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('DEPLOY_SSH_KNOWN_HOSTS is not set');
  });
});

describe.skipIf(!shellcheck && !inCi)('shellcheck', () => {
  const scripts = [
    'scripts',
    'scripts/deploy',
    'docker/postgres/init',
    'docker/certbot',
    'nginx/entrypoint',
  ].flatMap((dir) =>
    readdirSync(join(root, dir))
      .filter((name) => /\.(sh|envsh)$/.test(name))
      .map((name) => `${dir}/${name}`),
  );

  it('passes every shell script', async () => {
    expect(shellcheck, 'shellcheck (CI installs it)').toBeDefined();
    expect(scripts.length).toBeGreaterThan(8);
    const outcome = await run(shellcheck!, ['--shell=bash', '--external-sources', ...scripts], {
      cwd: root,
    }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(outcome).toBe('');
    // The Alertmanager config renderer runs under busybox sh in its container: checked as POSIX sh.
    const posix = await run(shellcheck!, ['--shell=sh', 'docker/monitoring/alertmanager/render-config.sh'], {
      cwd: root,
    }).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(posix).toBe('');
  });
});
