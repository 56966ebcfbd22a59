// Spawns the origin entry (src/entry/node.ts through tsx, on the Node running the tests) as a real process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

/**
 * Only the variables given here (plus PATH and HOME) reach the child, so the test machine's
 * environment cannot change what the origin sees.
 */
export function spawnOrigin(
  env: Record<string, string>,
  entry: string[] = ['--import', 'tsx', 'src/entry/node.ts'],
): OriginProcess {
  const child = spawn(process.execPath, entry, {
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

/** Reads the whole output once the process ended (the refusal tests). */
export async function runOriginToExit(env: Record<string, string>) {
  const origin = spawnOrigin(env);
  const code = await origin.exited;
  return { code, stdout: origin.stdout(), stderr: origin.stderr() };
}
