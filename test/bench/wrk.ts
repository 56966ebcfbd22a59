// One closed-loop flood with wrk (a C load generator: it leaves more of the two cores to the servers than a
// client in Node would). wrk-report.lua prints the figures as one JSON line.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

export interface WrkOptions {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
  /** Paths to cycle through (one per request), relative to the URL's origin. */
  paths?: string[];
  /** Seconds before wrk counts a request as timed out (its default: 2). */
  timeoutSeconds?: number;
}

export interface WrkResult {
  requests: number;
  requests_per_s: number;
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  non_2xx: number;
  socket_errors: number;
  timeouts: number;
}

const ms = (us: number) => Math.round(us / 10) / 100;

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    `--timeout=${options.timeoutSeconds ?? 2}s`,
    '-s',
    SCRIPT,
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(options.url);
  if (options.paths?.length) args.push('--', ...options.paths);
  const { stdout } = await promisify(execFile)('wrk', args, { maxBuffer: 16 * 1024 * 1024 });
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no result:\n${stdout}`);
  const raw = JSON.parse(line.slice('WRK_JSON '.length)) as Record<string, number>;
  return {
    requests: raw.requests!,
    requests_per_s: Math.round(raw.requests! / (raw.duration_us! / 1e6)),
    mean_ms: ms(raw.mean_us!),
    p50_ms: ms(raw.p50_us!),
    p99_ms: ms(raw.p99_us!),
    max_ms: ms(raw.max_us!),
    non_2xx: raw.non_2xx!,
    socket_errors: raw.connect_errors! + raw.read_errors! + raw.write_errors!,
    timeouts: raw.timeouts!,
  };
}
