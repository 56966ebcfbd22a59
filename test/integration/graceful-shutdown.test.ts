// startNodeServer's shutdown: in-flight requests finish, new connections are refused, closers run after the
// drain, and past the timeout the remaining connections are cut.
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startNodeServer } from '../../src/entry/node-server.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { captureLines } from '../support/test-deps.ts';

/** A promise with its resolver, to hold a handler open until the test lets it go. */
function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.shutdown('cleanup')));
});

async function slowServer(shutdownTimeoutMs: number) {
  const events: string[] = [];
  const entered = gate();
  const release = gate();
  const log = captureLines();
  const running = await startNodeServer({
    port: 0,
    host: '127.0.0.1',
    shutdownTimeoutMs,
    logger: createLogger({ level: 'info', destination: log.stream }),
    fetch: async (req) => {
      const path = new URL(req.url).pathname;
      if (path === '/slow') {
        entered.open();
        await release.promise;
        events.push('slow request finished');
        return new Response('slow done');
      }
      return new Response('fast');
    },
    closers: [
      {
        name: 'scheduler',
        close: async () => {
          events.push('closer: scheduler');
        },
      },
      {
        name: 'databases',
        close: async () => {
          events.push('closer: databases');
        },
      },
    ],
  });
  servers.push(running);
  return { running, events, entered, release, log };
}

describe('graceful shutdown of the Node server', () => {
  it('finishes the in-flight request, refuses new connections, then runs the closers in order', async () => {
    const { running, events, entered, release, log } = await slowServer(30_000);
    expect((await get(running.port, '/fast')).body).toBe('fast');

    const inFlight = get(running.port, '/slow');
    await entered.promise;
    const shutdown = running.shutdown('SIGTERM');

    expect(await tryConnect(running.port)).toBe('ECONNREFUSED');
    expect(events).toEqual([]); // closers wait for the drain

    release.open();
    expect(await inFlight).toEqual({ status: 200, body: 'slow done' });
    expect(await shutdown).toEqual({ drained: true });
    expect(events).toEqual(['slow request finished', 'closer: scheduler', 'closer: databases']);
    expect(log.lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['shutting down: draining', 'shutdown complete']),
    );
    // A second call returns the same outcome instead of closing twice.
    expect(await running.shutdown('SIGINT')).toEqual({ drained: true });
    expect(events.filter((event) => event.startsWith('closer'))).toHaveLength(2);
  });

  it('cuts a request that outlives the timeout, and still runs the closers', async () => {
    const { running, events, entered, release } = await slowServer(150);
    const inFlight = get(running.port, '/slow').then(
      () => 'completed',
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    await entered.promise;
    const outcome = await running.shutdown('SIGTERM');
    expect(outcome).toEqual({ drained: false });
    expect(await inFlight).toMatch(/ECONNRESET|socket hang up/);
    expect(events).toEqual(['closer: scheduler', 'closer: databases']);
    release.open();
  });

  it('keeps going when a closer fails', async () => {
    const log = captureLines();
    const closed: string[] = [];
    const running = await startNodeServer({
      port: 0,
      host: '127.0.0.1',
      shutdownTimeoutMs: 1_000,
      logger: createLogger({ level: 'info', destination: log.stream }),
      fetch: () => new Response('ok'),
      closers: [
        {
          name: 'kv',
          close: async () => {
            throw new Error('redis://:pw-in-error@redis:6379 refused');
          },
        },
        {
          name: 'databases',
          close: async () => {
            closed.push('databases');
          },
        },
      ],
    });
    expect(await running.shutdown('SIGTERM')).toEqual({ drained: true });
    expect(closed).toEqual(['databases']);
    const failure = log.lines.find((line) => line.msg === 'error while closing');
    expect(failure?.closer).toBe('kv');
    expect(log.raw.join('\n')).not.toContain('pw-in-error');
  });
});
