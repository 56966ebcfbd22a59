// Starts the real origin entry (src/entry/node.ts) as a child process on Node 24 with tsx, for
// multi-replica tests. Logs go to a file next to its data dir, for reading when a test fails.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface OriginProcess {
  pid: number;
  port: number;
  /** The replica id it writes into job_runs.replica_id. */
  replicaId: string;
  logFile: string;
  exited: Promise<number | null>;
  /** SIGTERM and wait for the graceful exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, no cleanup. */
  kill9(): Promise<void>;
}

export async function startOrigin(env: Record<string, string>): Promise<OriginProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'origin-'));
  const logFile = join(dir, 'origin.log');
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/entry/node.ts'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '',
      APP_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dir,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`origin exited during start; see ${logFile}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`origin did not start; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid!;
  return {
    pid,
    port,
    replicaId: `${hostname()}-${pid}`,
    logFile,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
