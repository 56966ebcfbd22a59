// The seed's KPI as an open-loop crowd: N users, each sending one request per second on a fixed schedule
// (a random phase per user), whether or not its previous answer arrived. Latency runs from the moment a request
// was due, not from when it was sent, so a slow server or a busy client cannot hide queueing (no coordinated
// omission). An answer that is not 2xx, a socket error or no answer within the timeout counts as an error.
import { Agent, request } from 'node:http';
import { percentile, round } from './bench-support.ts';

export interface CrowdOptions {
  base: string;
  users: number;
  seconds: number;
  headers: Record<string, string>;
  /** Paths each user cycles through, one per request (a function for paths that vary, e.g. ids). */
  paths: (() => string)[];
  timeoutMs?: number;
}

export interface CrowdFigures {
  requests: number;
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
  error_rate_percent: number;
  /** Errors by kind: status codes, socket errors, timeouts. */
  error_kinds: Record<string, number>;
}

export async function runCrowd(options: CrowdOptions): Promise<CrowdFigures> {
  const url = new URL(options.base);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  const fail = (kind: string) => {
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const pending = new Set<Promise<void>>();
  const send = (path: string, due: number) => {
    const done = new Promise<void>((resolve) => {
      const req = request(
        { host: url.hostname, port: url.port, path, method: 'GET', agent, headers: options.headers },
        (res) => {
          res.resume();
          res.once('end', () => {
            if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300)
              latencies.push(performance.now() - due);
            else fail(String(res.statusCode));
            resolve();
          });
        },
      );
      req.setTimeout(timeoutMs, () => {
        fail('timeout');
        req.destroy();
        resolve();
      });
      req.once('error', (error: NodeJS.ErrnoException) => {
        if (!req.destroyed || error.code !== 'ECONNRESET') fail(error.code ?? 'socket');
        resolve();
      });
      req.end();
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };

  const start = performance.now() + 100;
  const end = start + options.seconds * 1_000;
  // Every user's schedule: a random phase within the first second, then one request a second.
  const schedule: { due: number; user: number; n: number }[] = [];
  for (let user = 0; user < options.users; user++) {
    const phase = Math.random() * 1_000;
    for (let n = 0; start + phase + n * 1_000 < end; n++)
      schedule.push({ due: start + phase + n * 1_000, user, n });
  }
  schedule.sort((a, b) => a.due - b.due);
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < schedule.length && schedule[next]!.due <= now) {
        const { due, user, n } = schedule[next++]!;
        send(options.paths[(user + n) % options.paths.length]!(), due);
      }
      if (next >= schedule.length) resolve();
      else setTimeout(tick, Math.max(0, Math.min(5, schedule[next]!.due - now)));
    };
    tick();
  });
  while (pending.size) await Promise.all([...pending]);
  agent.destroy();
  const errors = Object.values(errorKinds).reduce((a, b) => a + b, 0);
  const sorted = latencies.sort((a, b) => a - b);
  const requests = schedule.length;
  return {
    requests,
    mean_ms: round(sorted.reduce((a, b) => a + b, 0) / Math.max(sorted.length, 1)),
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    max_ms: round(sorted.at(-1) ?? Number.NaN),
    errors,
    error_rate_percent: round((errors / Math.max(requests, 1)) * 100, 3),
    error_kinds: errorKinds,
  };
}
