// SIGTERM while a spawned origin is under load: every request the origin accepted gets a complete response
// (none is reset or cut mid-response, and the origin's request log matches what the clients received);
// after that, connections are refused. The load is a bounded number of requests from a few workers, each on
// a fresh connection.
//
// One kernel-level case is counted apart: a connection still waiting in the listen backlog when the
// listener closes is reset by the kernel before the server ever read it (at most one per worker, at the
// moment of close). The client sees ECONNRESET with no response byte; the request never reached the app.
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startOrigin } from '../../support/origin-process.ts';
import { createTestDatabase, realPostgresUrl } from '../../support/real-servers.ts';

const WORKERS = 6;
const CAP = 4_000;
const ADMIN = { username: 'admin', password: 'sigterm-admin-password-1' };

type Outcome =
  | { kind: 'response'; status: number }
  | { kind: 'refused' }
  /** Reset before any response byte: the connection never reached the server's request handler. */
  | { kind: 'reset-unanswered' }
  | { kind: 'broken'; error: string };

function get(port: number, path: string, token: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, headers: { Authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          // Complete means the whole declared body arrived and it parses.
          try {
            JSON.parse(Buffer.concat(chunks).toString('utf8'));
            resolve({ kind: 'response', status: res.statusCode ?? 0 });
          } catch (error) {
            resolve({ kind: 'broken', error: `incomplete body: ${(error as Error).message}` });
          }
        });
        res.on('error', (error) => resolve({ kind: 'broken', error: error.message }));
        res.on('aborted', () => resolve({ kind: 'broken', error: 'aborted mid-response' }));
      },
    );
    // 'error' on the request (not the response) means no response had started.
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === 'ECONNREFUSED'
          ? { kind: 'refused' }
          : error.code === 'ECONNRESET'
            ? { kind: 'reset-unanswered' }
            : { kind: 'broken', error: error.code ?? error.message },
      ),
    );
    req.end();
  });
}

describe.skipIf(!realPostgresUrl())('SIGTERM under load', () => {
  it('answers every request completely or refuses the connection cleanly; none is dropped', async () => {
    const running = await startOrigin({
      DB_APP_URL: await createTestDatabase('sigterm'),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_ENABLED: 'false',
      SCHEDULER_ENABLED: 'false',
      SHUTDOWN_TIMEOUT_MS: '10000',
    });
    const { port, process: origin } = running;
    try {
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/token`, {
        method: 'POST',
        body: new URLSearchParams(ADMIN),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };

      const outcomes: Outcome[] = [];
      let sent = 0;
      const paths = ['/api/v1/jobs', '/api/v1/health', '/api/v1/runs', '/api/v1/functions'];
      const worker = async () => {
        while (sent < CAP) {
          const path = paths[sent++ % paths.length]!;
          const outcome = await get(port, path, token);
          outcomes.push(outcome);
          if (outcome.kind !== 'response') return;
        }
      };
      const load = Promise.all(Array.from({ length: WORKERS }, worker));
      await new Promise<void>((resolve) => {
        const check = () => (outcomes.length >= 150 ? resolve() : setTimeout(check, 10));
        check();
      });
      origin.child.kill('SIGTERM');
      await load;
      expect(await origin.exited).toBe(0);

      const broken = outcomes.filter((o) => o.kind === 'broken');
      expect(broken).toEqual([]);
      expect(outcomes.length).toBeLessThan(CAP);
      const responses = outcomes.filter(
        (o): o is { kind: 'response'; status: number } => o.kind === 'response',
      );
      expect(responses.length).toBeGreaterThanOrEqual(150);
      expect(responses.filter((o) => o.status >= 500)).toEqual([]);
      // Each worker stopped at a refusal once the listener had closed (or at its backlog reset, see above).
      const ends = outcomes.filter((o) => o.kind === 'refused' || o.kind === 'reset-unanswered');
      expect(ends).toHaveLength(WORKERS);
      // Nothing the origin answered was lost: its request log counts exactly the responses clients got
      // (plus the login).
      const logged = origin
        .stdout()
        .split('\n')
        .filter((line) => line.includes('"msg":"request"')).length;
      expect(logged).toBe(responses.length + 1);
      const drain = origin
        .stdout()
        .split('\n')
        .find((line) => line.includes('shutting down: draining'));
      expect(drain).toBeDefined();
      expect(origin.stdout()).toContain('"drained":true');
    } finally {
      await running.kill9();
      await running.stop(); // removes its DATA_DIR
    }
  });
});
