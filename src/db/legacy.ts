// The guarded handle on the legacy DB: every statement passes the legacy guard (allow lists, see
// legacy-guard.ts) before it is sent; reports run read-only, bounded in time and cancelled on the server.
import type { QueryOptions, Row, SqlClient, SqlExecutor } from './client.ts';
import {
  assertLegacyStatementAllowed,
  type LegacyCatalog,
  type LegacyStatementMode,
  loadLegacyCatalog,
  loadLegacyGuard,
} from './legacy-guard.ts';

export interface LegacyReportOptions {
  /** Becomes SET LOCAL statement_timeout: the server stops the query itself when it runs longer. */
  timeoutMs: number;
  /** Aborting sends a cancel request for the running query (a timed-out or abandoned run). */
  signal?: AbortSignal;
}

export interface LegacyDatabase extends SqlExecutor {
  readonly label: string;
  readonly kind: SqlClient['kind'];
  /** Runs fn in one transaction; each statement inside is checked too. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** One SELECT (report rules: no writes, no locks) inside BEGIN READ ONLY with a statement timeout. */
  report<T extends Row = Row>(
    text: string,
    params: readonly unknown[],
    options: LegacyReportOptions,
  ): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  poolStats(): { max: number; busy: number };
}

export async function createLegacyDatabase(client: SqlClient): Promise<LegacyDatabase> {
  // The parser (WebAssembly, ~50 MB resident, ~150 ms to compile) and the database's function and catalog
  // names load with the first legacy statement, not at start: many origins never send one, and health
  // checks ping without it. A failed catalog read is retried by the next statement.
  let catalog: Promise<LegacyCatalog> | undefined;
  const prepare = async (): Promise<LegacyCatalog> => {
    await loadLegacyGuard();
    catalog ??= loadLegacyCatalog(client).catch((error: unknown) => {
      catalog = undefined;
      throw error;
    });
    return catalog;
  };
  const guarded = (executor: SqlExecutor, mode: LegacyStatementMode = 'write'): SqlExecutor => ({
    // async: a refusal is a rejected promise like any database error, never a synchronous throw.
    async query<T extends Row = Row>(text: string, params?: readonly unknown[], options?: QueryOptions) {
      assertLegacyStatementAllowed(text, { mode, catalog: await prepare() });
      return executor.query<T>(text, params, options);
    },
  });
  const checked = guarded(client);
  return {
    label: client.label,
    kind: client.kind,
    query: checked.query,
    transaction: (fn) => client.transaction((tx) => fn(guarded(tx))),
    async report<T extends Row = Row>(
      text: string,
      params: readonly unknown[],
      options: LegacyReportOptions,
    ) {
      const known = await prepare();
      assertLegacyStatementAllowed(text, { mode: 'read', catalog: known });
      options.signal?.throwIfAborted();
      const timeoutMs = Math.max(1, Math.ceil(options.timeoutMs));
      return client.transaction(
        async (tx) => {
          await tx.query(`set local statement_timeout = ${timeoutMs}`);
          return guarded(tx, 'read').query<T>(text, params, { signal: options.signal });
        },
        { readOnly: true },
      );
    },
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
    poolStats: () => client.poolStats(),
  };
}
