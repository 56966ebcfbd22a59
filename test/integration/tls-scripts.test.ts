// The two shell scripts of the compose.aws ACME path, run for real with a stand-in `certbot` and `nginx` on
// PATH (the real openssl makes the placeholder): docker/certbot/certbot-loop.sh writes a self-signed
// placeholder on first start, switches nginx's `current` link to the issued certificate, keeps an issued
// one on restart and asks for renewal afterwards; nginx/entrypoint/40-tls-reload.sh reloads nginx when the
// certificate behind the link changes and does nothing without TLS settings.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { findBinary } from '../support/binaries.ts';
import { until } from '../support/time-scale.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const certbotLoop = join(root, 'docker/certbot/certbot-loop.sh');
const reloadWatcher = join(root, 'nginx/entrypoint/40-tls-reload.sh');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const openssl = findBinary('openssl');
if (!openssl && !inCi) console.warn('[tls-scripts] SKIPPING: openssl not found');

const tmp = mkdtempSync(join(tmpdir(), 'app-server-tls-scripts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A stand-in command that appends its arguments to calls.log and runs `body` (sh). */
function fakeCommand(bin: string, name: string, body = ''): void {
  mkdirSync(bin, { recursive: true });
  const file = join(bin, name);
  writeFileSync(file, `#!/bin/sh\necho "${name} $*" >> "${join(bin, 'calls.log')}"\n${body}\n`);
  chmodSync(file, 0o755);
}
const calls = (bin: string) =>
  existsSync(join(bin, 'calls.log')) ? readFileSync(join(bin, 'calls.log'), 'utf8').trim().split('\n') : [];

describe.skipIf(!openssl && !inCi)('docker/certbot/certbot-loop.sh', () => {
  let dir: string;
  let bin: string;
  let letsencrypt: string;
  const env = () => ({
    PATH: `${bin}:${process.env.PATH}`,
    TLS_DOMAIN: 'app.example.com',
    ACME_EMAIL: 'ops@example.com',
    LETSENCRYPT_DIR: letsencrypt,
    ACME_WEBROOT: join(dir, 'webroot'),
    ACME_ONCE: 'true',
  });
  const current = () => join(letsencrypt, 'app-server/current');

  beforeEach(() => {
    dir = mkdtempSync(join(tmp, 'certbot-'));
    bin = join(dir, 'bin');
    letsencrypt = join(dir, 'letsencrypt');
  });

  it('starts nginx on a self-signed placeholder while the CA has not issued yet', async () => {
    fakeCommand(bin, 'certbot', 'exit 1');
    const { stdout } = await run('sh', [certbotLoop], { env: env() });
    expect(stdout).toContain('self-signed placeholder');
    expect(stdout).toContain('issuance failed');
    expect(readlinkSync(current())).toBe('placeholder');
    const placeholder = readFileSync(join(current(), 'fullchain.pem'), 'utf8');
    expect(placeholder).toContain('BEGIN CERTIFICATE');
    const { stdout: subject } = await run(openssl!, [
      'x509',
      '-noout',
      '-subject',
      '-in',
      join(current(), 'fullchain.pem'),
    ]);
    expect(subject).toContain('app.example.com');
    expect(readFileSync(join(current(), 'privkey.pem'), 'utf8')).toContain('PRIVATE KEY');
    expect(existsSync(join(dir, 'webroot/.well-known/acme-challenge'))).toBe(true);
    expect(calls(bin)).toEqual([
      expect.stringMatching(
        /^certbot certonly --webroot -w \S+\/webroot --non-interactive --cert-name app\.example\.com -d app\.example\.com --email ops@example\.com --agree-tos/,
      ),
    ]);
  });

  it('points nginx at the issued certificate and drops the placeholder; renews on the next start', async () => {
    // The stand-in CA "issues" the way certbot lays out files: live/<name>/ links into archive/.
    fakeCommand(
      bin,
      'certbot',
      `case "$1" in certonly)
  mkdir -p "${letsencrypt}/archive/app.example.com" "${letsencrypt}/live/app.example.com"
  echo issued > "${letsencrypt}/archive/app.example.com/fullchain1.pem"
  echo key > "${letsencrypt}/archive/app.example.com/privkey1.pem"
  ln -s ../../archive/app.example.com/fullchain1.pem "${letsencrypt}/live/app.example.com/fullchain.pem"
  ln -s ../../archive/app.example.com/privkey1.pem "${letsencrypt}/live/app.example.com/privkey.pem";;
esac`,
    );
    const first = await run('sh', [certbotLoop], { env: { ...env(), ACME_STAGING: 'true' } });
    expect(first.stdout).toContain('certificate for app.example.com in place');
    expect(readlinkSync(current())).toBe('../live/app.example.com');
    expect(readFileSync(join(current(), 'fullchain.pem'), 'utf8').trim()).toBe('issued');
    expect(existsSync(join(letsencrypt, 'app-server/placeholder'))).toBe(false);
    expect(calls(bin)[0]).toContain('--staging');

    const second = await run('sh', [certbotLoop], { env: env() });
    expect(second.stdout).not.toContain('placeholder');
    expect(readlinkSync(current())).toBe('../live/app.example.com');
    expect(calls(bin)[1]).toMatch(/^certbot renew --webroot -w \S+ --non-interactive --quiet$/);
  });

  it('refuses to start without TLS_DOMAIN or ACME_EMAIL, naming the variable', async () => {
    fakeCommand(bin, 'certbot');
    const { TLS_DOMAIN: _domain, ...withoutDomain } = env();
    await expect(run('sh', [certbotLoop], { env: withoutDomain })).rejects.toMatchObject({
      stderr: expect.stringContaining('TLS_DOMAIN is not set'),
    });
    const { ACME_EMAIL: _email, ...withoutEmail } = env();
    await expect(run('sh', [certbotLoop], { env: withoutEmail })).rejects.toMatchObject({
      stderr: expect.stringContaining('ACME_EMAIL is not set'),
    });
    expect(calls(bin)).toEqual([]);
  });
});

describe('nginx/entrypoint/40-tls-reload.sh', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.pid) process.kill(-child.pid, 'SIGKILL');
  });

  it('does nothing without TLS settings (compose.local)', async () => {
    const bin = join(mkdtempSync(join(tmp, 'reload-')), 'bin');
    fakeCommand(bin, 'nginx');
    const { stdout } = await run('sh', [reloadWatcher], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(stdout).toBe('');
    expect(calls(bin)).toEqual([]);
  });

  it('reloads nginx once per certificate change, not while it stays the same', async () => {
    const dir = mkdtempSync(join(tmp, 'reload-'));
    const bin = join(dir, 'bin');
    fakeCommand(bin, 'nginx');
    mkdirSync(join(dir, 'placeholder'));
    mkdirSync(join(dir, 'live'));
    writeFileSync(join(dir, 'placeholder/fullchain.pem'), 'placeholder');
    writeFileSync(join(dir, 'placeholder/privkey.pem'), 'placeholder key');
    writeFileSync(join(dir, 'live/fullchain.pem'), 'issued');
    writeFileSync(join(dir, 'live/privkey.pem'), 'issued key');
    // A relative link, as certbot-loop.sh makes it.
    const link = (target: string) => run('ln', ['-sfn', target, join(dir, 'current')]);
    await link('placeholder');
    // Counts the watcher's checks.
    const marker = join(dir, 'ticks');
    fakeCommand(bin, 'sleep', `echo tick >> "${marker}"; exec /bin/sleep "$@"`);
    // The entrypoint runs the script, which leaves the watcher running in the background (own group, so
    // the test can end it).
    const child = spawn('sh', [reloadWatcher], {
      detached: true,
      stdio: 'ignore',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        NGINX_TLS_CERTIFICATE: join(dir, 'current/fullchain.pem'),
        NGINX_TLS_CERTIFICATE_KEY: join(dir, 'current/privkey.pem'),
        NGINX_TLS_WATCH_SECONDS: '0.2',
      },
    });
    children.push(child);
    // Several checks pass with nothing changed: no reload.
    await until(() => existsSync(marker) && readFileSync(marker, 'utf8').split('\n').length > 4, {
      what: 'the watcher checking a few times',
    });
    expect(calls(bin).filter((c) => c.startsWith('nginx'))).toEqual([]);

    await link('live');
    await until(() => calls(bin).filter((c) => c.startsWith('nginx')).length === 1, {
      what: 'a reload after the link moved',
    });
    expect(calls(bin).filter((c) => c.startsWith('nginx'))).toEqual(['nginx -s reload']);
  });
});
