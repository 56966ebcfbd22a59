// Starts a throwaway redis-server from the machine's binary.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.ts';
import { freePort } from './ports.ts';
import { until } from './time-scale.ts';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Kills the server (SIGKILL) to simulate a crash; start() brings it back on the same port. */
  kill(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing until thaw() (a hung Redis). */
  freeze(): void;
  thaw(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function findRedisBinary(): string | undefined {
  return findBinary('redis-server', ['/usr/bin', '/usr/local/bin']);
}

export async function startRedis(): Promise<RedisServer> {
  const binary = findRedisBinary();
  if (!binary) throw new Error('redis-server not found');
  const dir = mkdtempSync(join(tmpdir(), 'app-server-redis-'));
  const port = await freePort();
  const pidFile = join(dir, 'redis.pid');
  const start = async () => {
    execFileSync(binary, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--daemonize',
      'yes',
      '--pidfile',
      pidFile,
      '--save',
      '',
      '--logfile',
      join(dir, 'redis.log'),
    ]);
    const cli = findBinary('redis-cli', ['/usr/bin']) ?? 'redis-cli';
    await until(() => execFileSync(cli, ['-p', String(port), 'ping'], { stdio: 'pipe' }).includes('PONG'), {
      timeoutMs: 20_000,
      intervalMs: 50,
      what: `redis-server answering PING on port ${port}`,
    });
  };
  const kill = async () => {
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGCONT'); // a frozen server must not linger stopped
      process.kill(pid, 'SIGKILL');
    } catch {}
    await until(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true; // gone
        }
      },
      { timeoutMs: 10_000, intervalMs: 20, what: `redis-server ${pid} exiting after SIGKILL` },
    );
    rmSync(pidFile, { force: true });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    dir,
    kill,
    freeze: () => process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGSTOP'),
    thaw: () => process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGCONT'),
    start,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
