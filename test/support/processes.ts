// Child processes for tests: spawned in their own process group, output kept, stopped by their pid only.
import { type ChildProcess, spawn } from 'node:child_process';
import { scaled } from './time-scale.ts';

export interface TestProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /**
   * Resolves when `pattern` appears in the output; rejects if the process exits or `deadlineMs` (a ceiling,
   * scaled by TEST_TIME_SCALE) passes.
   */
  waitForOutput(pattern: RegExp, deadlineMs: number): Promise<void>;
  /**
   * SIGTERM to the process itself (a wrapper such as `deno task` forwards it: signalling the whole group
   * would deliver it twice), SIGKILL to the group after graceMs, and to any leftover children once the
   * process exited. Resolves with the exit code (null when killed).
   */
  stop(graceMs?: number): Promise<number | null>;
}

export function spawnTestProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): TestProcess {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };

  return {
    child,
    output: () => output,
    waitForOutput(pattern, deadlineMs) {
      return new Promise((resolve, reject) => {
        const done = (error?: Error) => {
          listeners.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(output)) done();
        };
        const limit = scaled(deadlineMs);
        const timer = setTimeout(
          () => done(new Error(`no ${pattern} within ${limit} ms; output:\n${output.slice(-4000)}`)),
          limit,
        );
        listeners.add(check);
        void exited.then((code) =>
          done(new Error(`exited (${code}) before ${pattern}; output:\n${output.slice(-4000)}`)),
        );
        check();
      });
    },
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), scaled(graceMs));
      const code = await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL');
      return code;
    },
  };
}
