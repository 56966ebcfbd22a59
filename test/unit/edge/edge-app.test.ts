// The edge app's own answers, through app.request in Node (the cache and proxy paths run in workerd:
// test/worker/).
import { describe, expect, it } from 'vitest';
import { createEdgeApp } from '../../../src/edge/app.ts';

describe('edge app', () => {
  it('answers every request with a 500 envelope when its bindings are invalid', async () => {
    const app = createEdgeApp();
    const response = await app.request(
      '/api/v1/health',
      { headers: { 'X-Request-Id': 'misconfigured-1' } },
      {
        ORIGIN_URL: 'ftp://origin.example.com',
      },
    );
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error_code: 'edge_misconfigured',
      message: 'The edge worker is misconfigured',
      detail: null,
      trace_id: 'misconfigured-1',
    });
    expect(response.headers.get('x-request-id')).toBe('misconfigured-1');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
