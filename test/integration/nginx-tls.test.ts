// The real nginx binary with the TLS server blocks compose.aws uses (nginx/templates-tls/), in front of the
// real origin, with a certificate made by openssl for the test. Asserts what the ACME path relies on: plain
// HTTP answers ACME challenges from the shared webroot and redirects everything else to HTTPS on the
// configured name (never the client's Host); HSTS on every HTTPS response (proxied, envelopes nginx answers
// itself) and never over HTTP; one HSTS header even when the origin sends its own; TLS 1.2/1.3 accepted and
// TLS 1.0/1.1 refused.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type SecureVersion } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary } from '../support/binaries.ts';
import { findNginxBinary, type RunningNginx, startNginx } from '../support/nginx.ts';
import { startTestOrigin, type TestOrigin } from '../support/origin.ts';

const inCi = process.env.CI === 'true' || process.env.CI === '1';
const nginxBinary = findNginxBinary();
const openssl = findBinary('openssl');
const available = Boolean(nginxBinary && openssl);
if (!available && !inCi)
  console.warn('[nginx-tls] SKIPPING: needs nginx and openssl (apt-get install nginx openssl)');

const SERVER_NAME = 'app.test';
const ONE_YEAR = 365 * 24 * 3600;

describe.skipIf(!available && !inCi)('nginx terminating TLS (compose.aws)', () => {
  let origin: TestOrigin;
  let nginx: RunningNginx;
  let dir: string;
  let certificate: string;
  let https: Agent;
  const seenWith = (traceId: string) => origin.seen.filter((r) => r.headers['x-request-id'] === traceId);
  const secureFetch = (path: string, init: Parameters<typeof undiciFetch>[1] = {}) =>
    undiciFetch(`${nginx.httpsUrl}${path}`, { ...init, dispatcher: https, redirect: 'manual' });

  /** Completes a handshake limited to the given versions; resolves with the version used or the error. */
  function handshake(min: SecureVersion, max: SecureVersion): Promise<string> {
    const { port } = new URL(nginx.httpsUrl!);
    return new Promise((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: Number(port),
        servername: SERVER_NAME,
        ca: certificate,
        minVersion: min,
        maxVersion: max,
        // Let this client offer the old protocols at all (OpenSSL's default level forbids them client-side),
        // so a refusal comes from the server.
        ciphers: 'DEFAULT:@SECLEVEL=0',
      });
      socket.once('secureConnect', () => {
        resolve(socket.getProtocol() ?? 'unknown');
        socket.end();
      });
      socket.once('error', (error) => resolve(`refused: ${error.message}`));
    });
  }

  beforeAll(async () => {
    expect(nginxBinary, 'nginx binary (CI installs it)').toBeDefined();
    expect(openssl, 'openssl binary').toBeDefined();
    dir = mkdtempSync(join(tmpdir(), 'app-server-tls-'));
    const certificateFile = join(dir, 'fullchain.pem');
    const keyFile = join(dir, 'privkey.pem');
    execFileSync(
      openssl!,
      [
        'req',
        '-x509',
        '-nodes',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-days',
        '1',
        '-subj',
        `/CN=${SERVER_NAME}`,
        '-addext',
        `subjectAltName=DNS:${SERVER_NAME},IP:127.0.0.1`,
        '-keyout',
        keyFile,
        '-out',
        certificateFile,
      ],
      { stdio: 'pipe' },
    );
    certificate = readFileSync(certificateFile, 'utf8');
    const acmeRoot = join(dir, 'acme');
    mkdirSync(join(acmeRoot, '.well-known/acme-challenge'), { recursive: true });
    writeFileSync(join(acmeRoot, '.well-known/acme-challenge/token-123'), 'token-123.key-authorization');

    // The origin sends its own HSTS header (HTTPS_ONLY=true): nginx must not let it arrive twice.
    origin = await startTestOrigin({ HTTPS_ONLY: 'true' });
    nginx = await startNginx({
      upstreamPort: origin.port,
      clientMaxBodySize: '1m',
      tls: { serverName: SERVER_NAME, certificateFile, keyFile, acmeRoot },
    });
    https = new Agent({ connect: { ca: certificate } });
  });
  afterAll(async () => {
    await https?.close();
    await nginx?.stop();
    await origin?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('redirects plain HTTP to HTTPS on the configured name, without HSTS and without reaching the origin', async () => {
    const response = await fetch(`${nginx.url}/api/v1/jobs?page=2`, {
      redirect: 'manual',
      headers: { Host: 'attacker.example', 'X-Request-Id': 'trace-redirect' },
    });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe(`https://${SERVER_NAME}/api/v1/jobs?page=2`);
    expect(response.headers.get('strict-transport-security')).toBeNull();
    expect(seenWith('trace-redirect')).toHaveLength(0);
  });

  it('answers ACME HTTP-01 challenges from the webroot over plain HTTP', async () => {
    const response = await fetch(`${nginx.url}/.well-known/acme-challenge/token-123`, { redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toBe('token-123.key-authorization');
    expect(response.headers.get('strict-transport-security')).toBeNull();
    const missing = await fetch(`${nginx.url}/.well-known/acme-challenge/unknown`, { redirect: 'manual' });
    expect(missing.status).toBe(404);
    // nginx decodes and normalizes the path first: a climb out of the webroot is refused (400 above the root,
    // else a redirect like any other path outside the challenge location); it never reads outside it.
    const climb = await fetch(`${nginx.url}/.well-known/acme-challenge/..%2f..%2f..%2f..%2fetc%2fpasswd`, {
      redirect: 'manual',
    });
    expect([301, 400]).toContain(climb.status);
    expect(await climb.text()).not.toContain('root:');
  });

  it('proxies HTTPS to the origin with one HSTS header of at least a year', async () => {
    const response = await secureFetch('/api/v1/health', { headers: { 'X-Request-Id': 'trace-https' } });
    expect(response.status).toBe(200);
    const hsts = response.headers.get('strict-transport-security');
    // undici joins repeated headers with ", ": a second copy would show as two max-age entries.
    expect(hsts?.match(/max-age=/g)).toHaveLength(1);
    expect(Number(/max-age=(\d+)/.exec(hsts!)?.[1])).toBeGreaterThanOrEqual(ONE_YEAR);
    expect(hsts).toContain('includeSubDomains');
    const [request] = seenWith('trace-https');
    expect(request!.headers['x-forwarded-proto']).toBe('https');
  });

  it('sends HSTS on the envelopes nginx answers itself over HTTPS', async () => {
    const metrics = await secureFetch('/metrics');
    expect(metrics.status).toBe(403);
    expect(((await metrics.json()) as { error_code: string }).error_code).toBe('forbidden');
    expect(metrics.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);

    const tooLarge = await secureFetch('/api/v1/files', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'X-Request-Id': 'trace-413' },
      body: new Uint8Array(2 * 1024 * 1024),
    });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({
      error_code: 'payload_too_large',
      detail: { limit: '1m' },
      trace_id: 'trace-413',
    });
    expect(tooLarge.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('accepts TLS 1.2 and 1.3 and refuses TLS 1.0 and 1.1', async () => {
    expect(await handshake('TLSv1.3', 'TLSv1.3')).toBe('TLSv1.3');
    expect(await handshake('TLSv1.2', 'TLSv1.2')).toBe('TLSv1.2');
    expect(await handshake('TLSv1.1', 'TLSv1.1')).toMatch(/^refused/);
    expect(await handshake('TLSv1', 'TLSv1')).toMatch(/^refused/);
    // The server's own list, so a weaker default in some OpenSSL build cannot hide a config change.
    const template = readFileSync(
      join(import.meta.dirname, '../../nginx/templates-tls/default.conf.template'),
      'utf8',
    );
    expect(template).toMatch(/^\s*ssl_protocols\s+TLSv1\.2 TLSv1\.3;$/m);
  });
});
