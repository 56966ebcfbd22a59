// One small interface over the two Postgres drivers: postgres.js for a real server, PGlite embedded.
// Typed queries go through drizzle (`drizzle`); raw SQL, LISTEN and transactions through this client.
import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { PGliteOptions } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Logger } from '../observability/logger.ts';
import * as schema from './schema/index.ts';

export type AppSchema = typeof schema;
export type Drizzle = PgDatabase<PgQueryResultHKT, AppSchema>;
export type Row = Record<string, unknown>;

export interface QueryOptions {
  /** Aborting cancels the statement on the server (PostgreSQL cancel request), not only the wait for it. */
  signal?: AbortSignal;
}

/** Runs SQL with positional parameters ($1, $2, ...). */
export interface SqlExecutor {
  query<T extends Row = Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
}

export interface TransactionOptions {
  /** BEGIN READ ONLY: the server refuses every write inside, whatever the statement calls. */
  readOnly?: boolean;
}

export interface SqlClient extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** A description safe to log (never a password). */
  readonly label: string;
  readonly drizzle: Drizzle;
  /** Runs fn in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Subscribes to NOTIFY on a channel; the returned function unsubscribes. After the connection is lost
   * (a database restart) the subscription is renewed by itself and `onResubscribed` is called, so the
   * caller can catch up on what it missed meanwhile.
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onResubscribed?: () => void,
  ): Promise<Subscription>;
  /** Pool figures for metrics; PGlite has a single connection. */
  poolStats(): { max: number; busy: number };
  close(): Promise<void>;
}

/** What listen() returns: calling it ends the subscription. */
export interface Subscription {
  (): Promise<void>;
  /**
   * Resolves once every notification committed before the call has been handed to onPayload: a round trip on
   * the listening connection (PostgreSQL sends pending notifications before it reports the round trip done).
   * Rejects while the subscription is not live (connection lost, or renewed after the call began), because
   * notifications may have been missed: a cache that relies on them must not answer from memory then.
   */
  sync(): Promise<void>;
}

export interface PostgresClientOptions {
  url: string;
  label: string;
  max: number;
  logger?: Logger;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * Seconds before a closed connection reconnects, by failures so far. postgres.js grows this to 20 s by
 * default, and the failure count is shared by the pool, so after an outage of a few seconds the pool could
 * wait 20 s before trying the recovered server: capped at 1 s, the scheduler is back within a second or two.
 */
export const reconnectBackoffSeconds = (retries: number) => Math.min(0.05 * 2 ** retries, 1);

export function createPostgresClient(options: PostgresClientOptions): SqlClient {
  let busy = 0;
  const sql = postgres(options.url, {
    max: options.max,
    idle_timeout: 30,
    connect_timeout: 10,
    prepare: true,
    onnotice: () => {},
    backoff: reconnectBackoffSeconds,
    connection: { application_name: options.applicationName ?? 'app-server' },
  });
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    busy++;
    try {
      return await work();
    } finally {
      busy--;
    }
  };
  const run = async <T extends Row>(
    executor: postgres.Sql | postgres.TransactionSql,
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<T[]> => {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const pending = executor.unsafe(text, (params ?? []) as postgres.ParameterOrJSON<never>[]);
    if (!signal) return [...((await pending) as unknown as T[])];
    const cancel = () => void pending.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return [...((await pending) as unknown as T[])];
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  };

  return {
    kind: 'postgres',
    label: options.label,
    drizzle: drizzlePostgres(sql, { schema }) as unknown as Drizzle,
    query: <T extends Row>(text: string, params?: readonly unknown[], queryOptions?: QueryOptions) =>
      track(() => run<T>(sql, text, params, queryOptions)),
    transaction: (fn, transactionOptions) => {
      const body = (tx: postgres.TransactionSql) =>
        fn({
          query: <T extends Row>(text: string, params?: readonly unknown[], queryOptions?: QueryOptions) =>
            run<T>(tx, text, params, queryOptions),
        });
      return track(
        () =>
          (transactionOptions?.readOnly ? sql.begin('read only', body) : sql.begin(body)) as Promise<
            Awaited<ReturnType<typeof fn>>
          >,
      );
    },
    listen: (channel, onPayload, onResubscribed) =>
      listenWithResubscribe(options, channel, onPayload, onResubscribed),
    poolStats: () => ({ max: options.max, busy }),
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * LISTEN on a dedicated connection that survives a database restart. postgres.js's own sql.listen()
 * re-listens once when its connection closes and silently gives up if the server is still down at that
 * moment, so the subscription would be lost for good; here every close starts a retry loop that ends only
 * when LISTEN succeeds again (or the subscription is closed).
 */
async function listenWithResubscribe(
  options: PostgresClientOptions,
  channel: string,
  onPayload: (payload: string) => void,
  onResubscribed: (() => void) | undefined,
): Promise<Subscription> {
  let stopped = false;
  let retrying = false;
  // Counts LISTENs that took effect; sync() compares it before and after its round trip.
  let listenEpoch = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const statement = `listen "${channel.replace(/"/g, '""')}"`;
  const connectionOptions = {
    max: 1,
    idle_timeout: null,
    max_lifetime: null,
    connect_timeout: 10,
    fetch_types: false,
    prepare: false,
    onnotice: () => {},
    backoff: reconnectBackoffSeconds,
    connection: { application_name: `${options.applicationName ?? 'app-server'}:listen` },
    onnotify: (notified: string, payload: string) => {
      if (notified === channel) onPayload(payload);
    },
    onclose: () => {
      if (stopped || retrying) return;
      retrying = true;
      const attempt = async () => {
        if (stopped) return;
        try {
          await listener.unsafe(statement);
          listenEpoch++;
          retrying = false;
          options.logger?.info({ channel }, 'LISTEN renewed after the connection was lost');
          onResubscribed?.();
        } catch {
          retryTimer = setTimeout(() => void attempt(), LISTEN_RETRY_MS);
        }
      };
      retryTimer = setTimeout(() => void attempt(), LISTEN_RETRY_MS);
    },
  };
  const listener = postgres(
    options.url,
    connectionOptions as unknown as postgres.Options<Record<string, postgres.PostgresType>>,
  );
  try {
    await listener.unsafe(statement);
    listenEpoch++;
  } catch (error) {
    stopped = true;
    await listener.end({ timeout: 1 });
    throw error;
  }
  const notLive = () => new Error(`LISTEN ${channel} is not live`);
  const unsubscribe = async () => {
    stopped = true;
    clearTimeout(retryTimer);
    await listener.end({ timeout: 1 });
  };
  return Object.assign(unsubscribe, {
    async sync() {
      if (stopped || retrying) throw notLive();
      const epoch = listenEpoch;
      await listener.unsafe('select 1');
      if (stopped || retrying || epoch !== listenEpoch) throw notLive();
    },
  });
}

const LISTEN_RETRY_MS = 250;

export interface PgliteClientOptions {
  /** A folder to persist into; undefined keeps the database in memory (tests). */
  dataDir: string | undefined;
  label: string;
  /**
   * Start-up inputs PGlite otherwise reads (and compiles) on every create: tests reuse one compiled module and
   * start from a dumped, migrated data directory instead of running initdb.
   */
  engine?: Pick<PGliteOptions, 'loadDataDir' | 'pgliteWasmModule' | 'fsBundle'>;
}

/**
 * PostgreSQL settings the embedded database starts with, on top of PGlite's own. PGlite keeps PostgreSQL's
 * default of 128 MB of shared buffers, and WebAssembly's mmap zeroes all of it at start: every instance was
 * 150 MB resident before it read a row. 16 MB is ample for a local database (docs/performance.md).
 */
export const PGLITE_SETTINGS = ['shared_buffers=16MB'] as const;

/**
 * The embedded databases' WebAssembly runs on V8's baseline compiler (Liftoff) only. By default V8 also
 * recompiles PGlite's hot functions with its optimizing compiler in the background: for 3-5 s after the
 * databases open that took a CPU core and 300-500 MB of transient memory (the origin's RSS peaked near 800 MB),
 * and it left each instance ~20 MB larger. The flags are read when a module compiles, so this must run before
 * PGlite is first loaded; they are process-wide (the legacy SQL parser's WebAssembly compiles the same way),
 * which is why only the origin's embedded set-up calls it, never a process on a real PostgreSQL.
 */
export function compileWebAssemblyWithBaselineOnly(): void {
  try {
    for (const flag of ['--liftoff-only', '--no-wasm-tier-up', '--no-wasm-dynamic-tiering']) {
      setFlagsFromString(flag);
    }
  } catch {
    // A runtime without V8 flags (or one that refuses them) compiles as it always does.
  }
}

export async function createPgliteClient(options: PgliteClientOptions): Promise<SqlClient> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // Loaded on first use: an origin on a real PostgreSQL never compiles PGlite or its drizzle driver.
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  const pg = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...options.engine,
    // startParams replace PGlite's defaults (single-user mode and its flags), so they are kept; the settings
    // go on the command line rather than into postgresql.conf, which PGlite would overwrite whole.
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((setting) => ['-c', setting])],
  });
  let busy = 0;
  return {
    kind: 'pglite',
    label: options.label,
    drizzle: drizzlePglite(pg, { schema }) as unknown as Drizzle,
    // PGlite runs a statement to its end on this thread: a signal can only stop one from starting.
    async query(text, params, queryOptions) {
      queryOptions?.signal?.throwIfAborted();
      busy++;
      try {
        return (await pg.query(text, params as unknown[])).rows as never[];
      } finally {
        busy--;
      }
    },
    transaction: (fn, transactionOptions) =>
      pg.transaction(async (tx) => {
        if (transactionOptions?.readOnly) await tx.query('set transaction read only');
        return fn({
          query: async (text, params, queryOptions) => {
            queryOptions?.signal?.throwIfAborted();
            return (await tx.query(text, params as unknown[])).rows as never[];
          },
        });
      }),
    async listen(channel, onPayload) {
      const unsubscribe = await pg.listen(channel, onPayload);
      // One process, one connection: a NOTIFY reaches the listener before the statement that sent it resolves.
      return Object.assign(unsubscribe, { sync: async () => {} });
    },
    poolStats: () => ({ max: 1, busy }),
    close: () => pg.close(),
  };
}
