// Spawns an entry of the origin as a real process, on the Node running the tests: by default the run's one
// test build (ensureTestBuild: what `npm run build` emits and `npm start` / the image run), so no process pays
// for compiling TypeScript at start-up. spawnOrigin for a raw process (refusals, signals), runOriginToExit for
// its whole output, startOrigin for a ready origin on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTimeout } from '../../src/lib/with-timeout.ts';
import { imageNodeOptions } from './dockerfile.ts';
import { freePort } from './ports.ts';
import { seedEmbeddedDatabases } from './real-servers.ts';
import { ensureTestBuild } from './templates.ts';
import { scaled } from './time-scale.ts';

const running = new Set<OriginProcess>();

/** Kills every origin a test left running (call it in afterEach/afterAll). */
export function killStrayOrigins(): void {
  for (const origin of running) origin.kill();
  running.clear();
}

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface OriginProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited: Promise<number | string>;
  /** Resolves once a stdout line matches; rejects if the process exits first. */
  waitForLine(pattern: RegExp): Promise<string>;
  /** SIGKILL if still running (cleanup). */
  kill(): void;
}

export interface SpawnOptions {
  /** The entry's source file (default: the origin, src/entry/node.ts); its built .js is what runs. */
  entry?: string;
  /**
   * Run the TypeScript source through tsx (`npm run dev`, `npm run db:migrate` from a checkout) instead of
   * the build. Only the test of that path wants it: it compiles at every start.
   */
  fromSources?: boolean;
}

/** The Node arguments that run `entry` (a source path): its built file as `npm start` does, or tsx. */
async function entryArguments({ entry = 'src/entry/node.ts', fromSources = false }: SpawnOptions) {
  if (fromSources) return ['--import', 'tsx', entry];
  const built = join(await ensureTestBuild(), entry.replace(/\.tsx?$/, '.js'));
  // The image's NODE_OPTIONS (npm start passes the same flags).
  return [...imageNodeOptions(), built];
}

/**
 * Only the variables given here (plus PATH and HOME) reach the child, so the test machine's
 * environment cannot change what the origin sees.
 */
export async function spawnOrigin(
  env: Record<string, string>,
  options: SpawnOptions = {},
): Promise<OriginProcess> {
  const child = spawn(process.execPath, await entryArguments(options), {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  const checkWaiters = () => {
    for (const waiter of [...waiters]) {
      const line = out.split('\n').find((candidate) => waiter.pattern.test(candidate));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    checkWaiters();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      // Let the pipes drain before reporting.
      setImmediate(() => {
        for (const waiter of waiters.splice(0)) {
          waiter.reject(
            new Error(`origin exited (${code ?? signal}) before ${waiter.pattern}:\n${out}\n${err}`),
          );
        }
        resolve(code ?? signal ?? -1);
      });
    });
  });
  const origin: OriginProcess = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(pattern) {
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve, reject });
        checkWaiters();
        if (child.exitCode !== null) reject(new Error(`origin already exited:\n${out}\n${err}`));
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  running.add(origin);
  void exited.then(() => running.delete(origin));
  return origin;
}

/** Reads the whole output once the process ended (the refusal tests, one-shot commands). */
export async function runOriginToExit(env: Record<string, string>, options: SpawnOptions = {}) {
  const origin = await spawnOrigin(env, options);
  const code = await origin.exited;
  return { code, stdout: origin.stdout(), stderr: origin.stderr() };
}

export interface RunningOrigin {
  url: string;
  port: number;
  pid: number;
  /** The replica id it writes into job_runs.replica_id (bootstrap's `${hostname()}-${pid}`). */
  replicaId: string;
  process: OriginProcess;
  /** SIGTERM, wait for the graceful exit, remove its temporary DATA_DIR; resolves with the exit code. */
  stop(): Promise<number | string>;
  /** SIGKILL: a crash, no cleanup (its rows stay as the crash left them). */
  kill9(): Promise<void>;
}

/**
 * Starts the origin on a free loopback port with a temporary DATA_DIR (embedded PGlite, copied from the run's
 * templates, unless env names a database) and resolves once it logged that it is ready.
 */
export async function startOrigin(env: Record<string, string> = {}): Promise<RunningOrigin> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'app-server-origin-'));
  if (!env.DATA_DIR) await seedEmbeddedDatabases(dataDir, env);
  const origin = await spawnOrigin({
    APP_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...env,
  });
  try {
    await withTimeout(origin.waitForLine(/ready on http/), scaled(90_000));
  } catch (error) {
    origin.kill();
    await origin.exited;
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(
      `origin did not start: ${(error as Error).message}\n${origin.stdout()}\n${origin.stderr()}`,
    );
  }
  const pid = origin.child.pid!;
  const running = () => origin.child.exitCode === null && origin.child.signalCode === null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid,
    replicaId: `${hostname()}-${pid}`,
    process: origin,
    async stop() {
      if (running()) origin.child.kill('SIGTERM');
      const code = await origin.exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
    async kill9() {
      if (running()) origin.child.kill('SIGKILL');
      await origin.exited;
    },
  };
}
