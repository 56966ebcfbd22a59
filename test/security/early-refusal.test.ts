// Early refusals are delivered (src/entry/early-refusal.ts): a keep-alive client that sends a 3 MB body gets
// its 413 with `Connection: close`, and every request after it, on the same pool, gets an HTTP answer; no
// socket error ever. Oversized headers get a 431 in the envelope the same way. Real listening origin, real
// keep-alive clients (an undici Pool and a node:http Agent).
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrigin, type TestOrigin } from '../support/origin.ts';

const THREE_MB = Buffer.alloc(3 * 1024 * 1024, 'a');

// The origin as src/entry/node.ts serves it (not recording requests: that would read every body).
let origin: TestOrigin;
beforeAll(async () => {
  origin = await startTestOrigin({}, { recordRequests: false });
}, 180_000);
afterAll(() => origin?.stop());

describe('early refusals over keep-alive', () => {
  it('undici Pool: 3 MB bodies get 413 + Connection: close, and every later request is answered', async () => {
    const pool = new Pool(origin.url, { connections: 2, pipelining: 1 });
    const outcomes: string[] = [];
    const closeHeaders: (string | string[] | undefined)[] = [];
    try {
      for (let round = 0; round < 6; round++) {
        const sends = [
          pool.request({
            path: '/api/v1/auth/token',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: THREE_MB,
          }),
          // No Content-Length: the limit is found while reading.
          pool.request({
            path: '/api/v1/auth/token',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: Readable.from(
              (function* () {
                for (let i = 0; i < 48; i++) yield THREE_MB.subarray(0, 64 * 1024);
              })(),
            ),
          }),
          pool.request({ path: '/api/v1/health', method: 'GET' }),
          pool.request({ path: '/healthz', method: 'GET' }),
        ];
        for (const settled of await Promise.allSettled<Dispatcher.ResponseData>(sends)) {
          if (settled.status === 'rejected') {
            outcomes.push(`socket error: ${(settled.reason as Error).message}`);
            continue;
          }
          const { statusCode, headers, body } = settled.value;
          await body.text();
          outcomes.push(String(statusCode));
          if (statusCode === 413) closeHeaders.push(headers.connection);
        }
      }
    } finally {
      await pool.close();
    }
    expect(outcomes.filter((o) => o.startsWith('socket error'))).toEqual([]);
    expect(outcomes.filter((o) => o === '413')).toHaveLength(12);
    expect(outcomes.filter((o) => !/^(200|413|503)$/.test(o))).toEqual([]);
    expect(closeHeaders.every((value) => value === 'close')).toBe(true);
  });

  it('node:http Agent keepAlive: a 413, then more requests on the agent, all answered', async () => {
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, path: string, body?: Buffer) =>
      new Promise<string>((resolve) => {
        const req = httpRequest(
          `${origin.url}${path}`,
          { method, agent, headers: body ? { 'content-type': 'application/json' } : {} },
          (res) => {
            res.resume();
            res.on('end', () => resolve(`${res.statusCode} ${res.headers.connection}`));
          },
        );
        req.on('error', (error) => resolve(`socket error: ${error.message}`));
        req.end(body);
      });
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 4; i++) {
        outcomes.push(await send('POST', '/api/v1/auth/token', THREE_MB));
        outcomes.push(await send('GET', '/healthz'));
      }
      expect(outcomes.filter((o) => o.startsWith('socket error'))).toEqual([]);
      expect(outcomes.filter((o) => o.startsWith('413'))).toEqual(Array(4).fill('413 close'));
    } finally {
      agent.destroy();
    }
  });

  it('oversized headers get a 431 in the envelope with Connection: close; the pool carries on', async () => {
    const pool = new Pool(origin.url, { connections: 1 });
    try {
      // The same keep-alive socket has carried an answer before the refused request.
      const before = await pool.request({ path: '/healthz', method: 'GET' });
      expect(before.statusCode).toBe(200);
      await before.body.text();
      const big = await pool.request({
        path: '/healthz',
        method: 'GET',
        headers: { 'x-big': 'b'.repeat(40_000) },
      });
      expect(big.statusCode).toBe(431);
      expect(big.headers.connection).toBe('close');
      expect(await big.body.json()).toMatchObject({ error_code: 'header_fields_too_large' });
      const after = await pool.request({ path: '/healthz', method: 'GET' });
      expect(after.statusCode).toBe(200);
      await after.body.text();
    } finally {
      await pool.close();
    }
  });
});
