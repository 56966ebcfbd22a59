// Starts a throwaway PostgreSQL server from the machine's binaries (initdb refuses root: run as postgres).
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, postgresBinDirs } from './binaries.ts';
import { freePort } from './ports.ts';

export interface PostgresServer {
  /** Superuser URL to the `postgres` maintenance database. */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops without removing the data (to simulate an outage); start() brings it back. */
  pause(): Promise<void>;
  start(): Promise<void>;
}

export function findPostgresBinaries(): { initdb: string; pgCtl: string } | undefined {
  const extra = postgresBinDirs();
  const initdb = findBinary('initdb', extra);
  const pgCtl = findBinary('pg_ctl', extra);
  return initdb && pgCtl ? { initdb, pgCtl } : undefined;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function runAsPostgres(command: string, args: string[]) {
  if (isRoot()) execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'pipe' });
  else execFileSync(command, args, { stdio: 'pipe' });
}

export async function startPostgres(): Promise<PostgresServer> {
  const binaries = findPostgresBinaries();
  if (!binaries) throw new Error('PostgreSQL binaries (initdb, pg_ctl) not found');
  const dir = mkdtempSync(join(tmpdir(), 'app-server-pg-'));
  if (isRoot())
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    );
  const port = await freePort();
  const data = join(dir, 'data');
  runAsPostgres(binaries.initdb, [
    '-D',
    data,
    '-U',
    'app',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-locale',
    '--no-sync',
  ]);
  const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const start = async () => {
    runAsPostgres(binaries.pgCtl, ['-D', data, '-l', join(dir, 'log'), '-w', '-o', options, 'start']);
  };
  const pause = async () => {
    runAsPostgres(binaries.pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  await start();
  return {
    url: `postgres://app@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start,
    pause,
    async restart() {
      runAsPostgres(binaries.pgCtl, [
        '-D',
        data,
        '-l',
        join(dir, 'log'),
        '-m',
        'fast',
        '-w',
        '-o',
        options,
        'restart',
      ]);
    },
    async stop() {
      try {
        await pause();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
