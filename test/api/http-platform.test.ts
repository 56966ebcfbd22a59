import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_PATH, swaggerAssetPath } from '../../src/api/docs/index.ts';
import { loadSwaggerAssets } from '../../src/api/docs/swagger-assets.ts';
import { bearer, startTestApi, type TestApi } from '../support/api-app.ts';

const ALLOWED = 'https://app.example.com';
let api: TestApi;
let viewer: string;
const path = (p: string) => `${api.config.apiPrefix}${p}`;

beforeAll(async () => {
  api = await startTestApi({ CORS_ORIGINS: `["${ALLOWED}", "http://localhost:5173"]` });
  viewer = await api.userToken('viewer');
});
afterAll(async () => {
  await api?.close();
});

describe('CORS allowlist', () => {
  it('answers a preflight from a listed origin with that origin, credentials and the allowed headers', async () => {
    const response = await api.app.request(path('/files'), {
      method: 'OPTIONS',
      headers: {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('gives a refused origin no CORS headers, on preflight and on a real request', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.net', 'null']) {
      const preflight = await api.app.request(path('/files'), {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET' },
      });
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBeNull();
      const real = await api.app.request(path('/auth/me'), {
        headers: { Origin: origin, ...bearer(viewer) },
      });
      expect(real.headers.get('access-control-allow-origin'), origin).toBeNull();
    }
  });

  it('gives a request without Origin no CORS headers but Vary: Origin, so caches keep the two apart', async () => {
    const response = await api.app.request(path('/auth/me'), { headers: bearer(viewer) });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('echoes a listed origin on real responses, errors included, and exposes ETag and X-Request-Id', async () => {
    const ok = await api.app.request(path('/auth/me'), { headers: { Origin: ALLOWED, ...bearer(viewer) } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('vary')).toContain('Origin');
    expect(ok.headers.get('access-control-expose-headers')).toContain('ETag');
    const denied = await api.app.request(path('/auth/me'), { headers: { Origin: ALLOWED } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });
});

describe('request body ceiling', () => {
  it('refuses a JSON body over 1 MiB with 413 in the envelope, before parsing it', async () => {
    const admin = await api.userToken('admin');
    const response = await api.app.request(path('/users'), {
      method: 'POST',
      headers: { ...bearer(admin), 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'huge', password: 'x'.repeat(2 * 1024 * 1024), role: 'viewer' }),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error_code: string }).error_code).toBe('payload_too_large');
  });
});

describe('ETag, conditional GET and Cache-Control', () => {
  it('gives JSON reads a strong ETag, answers 304 to If-None-Match, and keeps them private', async () => {
    const first = await api.app.request(path('/auth/me'), { headers: bearer(viewer) });
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')).toContain('Authorization');
    const second = await api.app.request(path('/auth/me'), {
      headers: { ...bearer(viewer), 'If-None-Match': etag! },
    });
    expect(second.status).toBe(304);
    expect(second.headers.get('etag')).toBe(etag);
    expect(await second.text()).toBe('');
    const changed = await api.app.request(path('/auth/me'), {
      headers: { ...bearer(viewer), 'If-None-Match': '"something-else"' },
    });
    expect(changed.status).toBe(200);
  });

  it('marks mutations and errors no-store', async () => {
    const login = await api.app.request(path('/auth/token'), {
      method: 'POST',
      body: new URLSearchParams({ username: 'nobody', password: 'nothing-here' }),
    });
    expect(login.status).toBe(401);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const missing = await api.app.request(path('/files/00000000-0000-4000-8000-000000000000'), {
      headers: bearer(viewer),
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
  });

  it('lets shared caches keep the public OpenAPI document and Swagger assets, with revalidation', async () => {
    const spec = await api.app.request(OPENAPI_PATH);
    expect(spec.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = spec.headers.get('etag')!;
    expect((await api.app.request(OPENAPI_PATH, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const asset = await api.app.request(swaggerAssetPath(loadSwaggerAssets().version, 'swagger-ui.css'));
    expect(asset.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(asset.headers.get('content-type')).toContain('text/css');
  });
});
