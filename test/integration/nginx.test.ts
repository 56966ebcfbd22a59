// The real nginx binary with nginx/nginx.conf and its template, in front of the real origin (in-process,
// embedded PGlite). Asserts what operators rely on: prefixes kept, the body limit enforced by nginx in the
// envelope, /metrics closed, forwarded headers and the trace id reaching the origin, gzip, and an envelope
// when the origin is down; an admin page (the login redirect) and an authenticated upload through it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMaxFileSizeDefault, nginxBodyLimitFor } from '../support/body-limit.ts';
import { findNginxBinary, type RunningNginx, startNginx } from '../support/nginx.ts';
import { startTestOrigin, type TestOrigin } from '../support/origin.ts';
import { tryIssueToken } from '../support/routes.ts';
import { parseNginxSize } from '../support/sizes.ts';

const root = join(import.meta.dirname, '../..');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const nginxBinary = findNginxBinary();
if (!nginxBinary && !inCi) console.warn('[nginx] SKIPPING: nginx not found (apt-get install nginx)');
// The limit the nginx container gets with compose's default MAX_FILE_SIZE, computed by the real entrypoint script.
const bodyLimit = nginxBodyLimitFor({
  MAX_FILE_SIZE: composeMaxFileSizeDefault(readFileSync(join(root, 'docker/compose.base.yml'), 'utf8')),
});
const bodyLimitBytes = parseNginxSize(bodyLimit);

interface Envelope {
  error_code: string;
  message: string;
  detail: unknown;
  trace_id: string;
}

describe.skipIf(!nginxBinary && !inCi)('nginx in front of the origin', () => {
  let origin: TestOrigin;
  let nginx: RunningNginx;
  const seenWith = (traceId: string) => origin.seen.filter((r) => r.headers['x-request-id'] === traceId);

  beforeAll(async () => {
    expect(nginxBinary, 'nginx binary (CI installs it)').toBeDefined();
    origin = await startTestOrigin();
    nginx = await startNginx({ upstreamPort: origin.port, clientMaxBodySize: bodyLimit });
  });
  afterAll(async () => {
    await nginx?.stop();
    await origin?.stop();
  });

  it('proxies /healthz to the origin (liveness of the whole chain)', async () => {
    const response = await fetch(`${nginx.url}/healthz`, { headers: { 'X-Request-Id': 'trace-healthz' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(seenWith('trace-healthz').map((r) => r.path)).toEqual(['/healthz']);
  });

  it('keeps the /api prefix: /api/v1/health reaches the origin as /api/v1/health', async () => {
    const response = await fetch(`${nginx.url}/api/v1/health`, {
      headers: { 'X-Request-Id': 'trace-health' },
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; components: Record<string, unknown> };
    expect(body.status).toBe('healthy');
    expect(body.components).toHaveProperty('app_db');
    expect(seenWith('trace-health').map((r) => r.path)).toEqual(['/api/v1/health']);
  });

  it("passes the origin's 404 envelope, with nginx's trace id when the client sent none", async () => {
    const response = await fetch(`${nginx.url}/no-such-page`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as Envelope;
    expect(body.error_code).toBe('not_found');
    expect(body.message).toContain('/no-such-page');
    const traceId = response.headers.get('x-request-id');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.trace_id).toBe(traceId);
    expect(seenWith(traceId!)).toHaveLength(1);
  });

  it('forwards client address, scheme, host and the request id', async () => {
    await fetch(`${nginx.url}/api/v1/health`, {
      headers: { 'X-Request-Id': 'trace-forwarded', 'X-Forwarded-For': '203.0.113.7' },
    });
    const [request] = seenWith('trace-forwarded');
    expect(request).toBeDefined();
    expect(request!.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(request!.headers['x-real-ip']).toBe('127.0.0.1');
    expect(request!.headers['x-forwarded-proto']).toBe('http');
    expect(request!.headers['x-forwarded-host']).toBe(new URL(nginx.url).host);
    expect(request!.headers.host).toBe('127.0.0.1');
  });

  it('keeps the scheme a TLS terminator in front reported', async () => {
    await fetch(`${nginx.url}/healthz`, {
      headers: { 'X-Request-Id': 'trace-proto', 'X-Forwarded-Proto': 'https' },
    });
    expect(seenWith('trace-proto')[0]!.headers['x-forwarded-proto']).toBe('https');
  });

  it('admits a body between the buffer size and the limit and forwards it whole', async () => {
    const size = 2 * 1024 * 1024;
    const response = await fetch(`${nginx.url}/api/v1/no-such-upload`, {
      method: 'POST',
      headers: { 'X-Request-Id': 'trace-large-ok', 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(size),
    });
    await response.arrayBuffer();
    // Whatever the origin answers (404, 401, its own body cap), the whole body reached it.
    expect(seenWith('trace-large-ok')[0]!.bodyBytes).toBe(size);
    expect(response.headers.get('x-request-id')).toBe('trace-large-ok');
  });

  it('answers a body over client_max_body_size with 413 in the envelope, without bothering the origin', async () => {
    const response = await fetch(`${nginx.url}/api/v1/files`, {
      method: 'POST',
      headers: { 'X-Request-Id': 'trace-too-large', 'Content-Type': 'application/octet-stream' },
      body: new Uint8Array(bodyLimitBytes + 1),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as Envelope;
    expect(body).toMatchObject({ error_code: 'payload_too_large', trace_id: 'trace-too-large' });
    expect(seenWith('trace-too-large')).toHaveLength(0);
  });

  it('denies /metrics from outside (Prometheus scrapes the origin directly)', async () => {
    for (const path of ['/metrics', '/metrics/', '/metrics?x=1']) {
      const response = await fetch(`${nginx.url}${path}`, { headers: { 'X-Request-Id': 'trace-metrics' } });
      expect(response.status, path).toBe(403);
      expect(((await response.json()) as Envelope).error_code).toBe('forbidden');
    }
    expect(seenWith('trace-metrics')).toHaveLength(0);
  });

  it('gzips large JSON responses and hides its version', async () => {
    const longPath = `/no-such-page/${'x'.repeat(1500)}`;
    const response = await fetch(`${nginx.url}${longPath}`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(((await response.json()) as Envelope).message).toContain(longPath);
    expect(response.headers.get('server')).toBe('nginx');
  });

  it('serves the admin UI under /admin with its prefix', async () => {
    const direct = await fetch(`${origin.url}/admin`, { redirect: 'manual' });
    const proxied = await fetch(`${nginx.url}/admin`, {
      redirect: 'manual',
      headers: { 'X-Request-Id': 'trace-admin' },
    });
    expect(proxied.status).toBe(direct.status);
    expect(seenWith('trace-admin').map((r) => r.path)).toEqual(['/admin']);
    // Without a session the admin UI redirects to its login page, which nginx serves under the same prefix.
    expect(proxied.status).toBe(303);
    const location = proxied.headers.get('location')!;
    expect(new URL(location, nginx.url).pathname).toBe('/admin/login');
    const page = await fetch(new URL(location, nginx.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toMatch(/<form[^>]+action="\/admin\/login"/);
  });

  it('carries a file upload through to the origin', async () => {
    const token = await tryIssueToken(nginx.url);
    expect(token, 'token through nginx').toBeDefined();
    const size = 2 * 1024 * 1024;
    const form = new FormData();
    form.append(
      'file',
      new Blob([new Uint8Array(size).fill(97)], { type: 'text/plain' }),
      'through-nginx.txt',
    );
    const upload = await fetch(`${nginx.url}/api/v1/files`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'trace-upload' },
      body: form,
    });
    expect(upload.status, await upload.clone().text()).toBe(201);
    expect(((await upload.json()) as { size?: number }).size).toBe(size);
    expect(seenWith('trace-upload')[0]!.bodyBytes).toBeGreaterThan(size);
  });

  it('answers in the envelope when the origin is down (last: stops the origin)', async () => {
    await origin.stop();
    const response = await fetch(`${nginx.url}/api/v1/health`, { headers: { 'X-Request-Id': 'trace-down' } });
    // nginx keeps the gateway status (502 refused, 504 timed out) and answers in the envelope.
    expect(response.status).toBe(502);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toMatchObject({ error_code: 'origin_unavailable', trace_id: 'trace-down' });
  });
});
