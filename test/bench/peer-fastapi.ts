// The seed's own design (FastAPI + SQLAlchemy async + asyncpg, one uvicorn worker) as the bench's peer: found in
// a `shared/peer-fastapi` folder beside the project (or BENCH_PEER_DIR), started from Debian's python3 packages
// on its own database of the bench's PostgreSQL, seeded with the same number of jobs.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../support/origin-process.ts';
import { freePort } from '../support/ports.ts';

const PYTHON = '/usr/bin/python3';

export interface Peer {
  child: ChildProcess;
  pid: number;
  port: number;
  /** A bearer token the peer accepts (printed by its seed script). */
  token: string;
  stop(): Promise<void>;
}

/** The peer's folder, or undefined when this checkout has none beside it. */
export function findPeerDir(): string | undefined {
  if (process.env.BENCH_PEER_DIR) return resolve(process.env.BENCH_PEER_DIR);
  let dir = PROJECT_ROOT;
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, 'shared', 'peer-fastapi');
    if (existsSync(join(candidate, 'app.py'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export async function startPeer(
  peerDir: string,
  dbUrl: string,
  jobs: number,
  logPath: string,
): Promise<Peer> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    PYTHONDONTWRITEBYTECODE: '1',
    DB_APP_URL: dbUrl,
  };
  const fd = openSync(logPath, 'w');
  const child = spawn(
    PYTHON,
    // As its README runs it: one worker, uvloop, httptools.
    [
      '-m',
      'uvicorn',
      'app:app',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--log-level',
      'warning',
    ].concat(['--loop', 'uvloop', '--http', 'httptools']),
    { cwd: peerDir, env, stdio: ['ignore', fd, fd] },
  );
  closeSync(fd);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    // Its tables are created at start-up; the seed needs them.
    for (let waited = 0; ; waited += 100) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
        await response.arrayBuffer();
        if (response.ok) break;
      } catch {
        // Not listening yet.
      }
      if (child.exitCode !== null) throw new Error(`the peer exited; see ${logPath}`);
      if (waited > 60_000) throw new Error(`the peer did not start; see ${logPath}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const { stdout } = await promisify(execFile)(PYTHON, ['seed.py', String(jobs)], { cwd: peerDir, env });
    const token = stdout.trim().split('\n').pop() ?? '';
    return { child, pid: child.pid!, port, token, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
