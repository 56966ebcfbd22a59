// One small interface over the two Postgres drivers: postgres.js for a real server, PGlite embedded.
// Typed queries go through drizzle (`drizzle`); raw SQL, LISTEN and transactions through this client.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Logger } from '../observability/logger.ts';
import * as schema from './schema/index.ts';

export type AppSchema = typeof schema;
export type Drizzle = PgDatabase<PgQueryResultHKT, AppSchema>;
export type Row = Record<string, unknown>;

/** Runs SQL with positional parameters ($1, $2, ...). */
export interface SqlExecutor {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
}

export interface SqlClient extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** A description safe to log (never a password). */
  readonly label: string;
  readonly drizzle: Drizzle;
  /** Runs fn in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Subscribes to NOTIFY on a channel; the returned function unsubscribes. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  /** Pool figures for metrics; PGlite has a single connection. */
  poolStats(): { max: number; busy: number };
  close(): Promise<void>;
}

export interface PostgresClientOptions {
  url: string;
  label: string;
  max: number;
  logger?: Logger;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

export function createPostgresClient(options: PostgresClientOptions): SqlClient {
  let busy = 0;
  const sql = postgres(options.url, {
    max: options.max,
    idle_timeout: 30,
    connect_timeout: 10,
    prepare: true,
    onnotice: () => {},
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
  const run = <T extends Row>(
    executor: postgres.Sql | postgres.TransactionSql,
    text: string,
    params?: readonly unknown[],
  ) => executor.unsafe(text, (params ?? []) as postgres.ParameterOrJSON<never>[]) as unknown as Promise<T[]>;

  return {
    kind: 'postgres',
    label: options.label,
    drizzle: drizzlePostgres(sql, { schema }) as unknown as Drizzle,
    query: <T extends Row>(text: string, params?: readonly unknown[]) =>
      track(async () => [...(await run<T>(sql, text, params))]),
    transaction: (fn) =>
      track(
        () =>
          sql.begin((tx) =>
            fn({
              query: async <T extends Row>(text: string, params?: readonly unknown[]) => [
                ...(await run<T>(tx, text, params)),
              ],
            }),
          ) as Promise<Awaited<ReturnType<typeof fn>>>,
      ),
    async listen(channel, onPayload) {
      const subscription = await sql.listen(channel, onPayload);
      return () => subscription.unlisten();
    },
    poolStats: () => ({ max: options.max, busy }),
    close: () => sql.end({ timeout: 5 }),
  };
}

export interface PgliteClientOptions {
  /** A folder to persist into; undefined keeps the database in memory (tests). */
  dataDir: string | undefined;
  label: string;
}

export async function createPgliteClient(options: PgliteClientOptions): Promise<SqlClient> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pg = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  let busy = 0;
  return {
    kind: 'pglite',
    label: options.label,
    drizzle: drizzlePglite(pg, { schema }) as unknown as Drizzle,
    async query(text, params) {
      busy++;
      try {
        return (await pg.query(text, params as unknown[])).rows as never[];
      } finally {
        busy--;
      }
    },
    transaction: (fn) =>
      pg.transaction((tx) =>
        fn({ query: async (text, params) => (await tx.query(text, params as unknown[])).rows as never[] }),
      ),
    async listen(channel, onPayload) {
      const unsubscribe = await pg.listen(channel, onPayload);
      return unsubscribe;
    },
    poolStats: () => ({ max: 1, busy }),
    close: () => pg.close(),
  };
}
