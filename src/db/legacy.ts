// The guarded handle on the legacy DB: every statement passes the non-delete policy before it is sent.
import type { Row, SqlClient, SqlExecutor } from './client.ts';
import { assertLegacyStatementAllowed, loadLegacyGuard } from './legacy-guard.ts';

export interface LegacyDatabase extends SqlExecutor {
  readonly label: string;
  readonly kind: SqlClient['kind'];
  /** Runs fn in one transaction; each statement inside is checked too. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  poolStats(): { max: number; busy: number };
}

function guarded(executor: SqlExecutor): SqlExecutor {
  return {
    // async: a refusal is a rejected promise like any database error, never a synchronous throw.
    async query<T extends Row = Row>(text: string, params?: readonly unknown[]) {
      await loadLegacyGuard();
      assertLegacyStatementAllowed(text);
      return executor.query<T>(text, params);
    },
  };
}

export async function createLegacyDatabase(client: SqlClient): Promise<LegacyDatabase> {
  // The parser (WebAssembly, ~50 MB resident, ~150 ms to compile) loads with the first legacy statement,
  // not at start: many origins never send one, and health checks ping without it.
  const checked = guarded(client);
  return {
    label: client.label,
    kind: client.kind,
    query: checked.query,
    transaction: (fn) => client.transaction((tx) => fn(guarded(tx))),
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
    poolStats: () => client.poolStats(),
  };
}
