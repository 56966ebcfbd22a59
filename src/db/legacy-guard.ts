// The legacy non-delete policy (seed 000 section 5): SELECT, INSERT and UPDATE only.
// Statements are parsed by the real PostgreSQL parser (libpg-query), so comments, case, CTEs and
// stacked statements cannot hide a DELETE or DDL. The least-privilege role in docs/db/ is the second wall.
import { loadModule, parseSync } from 'libpg-query';

export class LegacyStatementRefused extends Error {
  readonly code = 'legacy_statement_refused';
  constructor(readonly reason: string) {
    super(`legacy database: statement refused: ${reason}`);
    this.name = 'LegacyStatementRefused';
  }
}

const ALLOWED_TOP_LEVEL = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt']);
const NODE_STATEMENT = /^[A-Z][A-Za-z]*Stmt$/;

/**
 * Functions that act outside the statement (run other SQL, touch files, large objects, other backends
 * or settings). A SELECT that calls them is not a read.
 */
const REFUSED_FUNCTIONS = new Set([
  'dblink',
  'dblink_exec',
  'dblink_send_query',
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'lo_import',
  'lo_export',
  'lo_unlink',
  'lo_create',
  'lo_put',
  'lo_truncate',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_stat_file',
  'pg_terminate_backend',
  'pg_cancel_backend',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'set_config',
]);

let ready: Promise<void> | undefined;

/** The parser is WebAssembly; load it once before the first check. */
export function loadLegacyGuard(): Promise<void> {
  ready ??= loadModule();
  return ready;
}

type ParseTree = { stmts?: { stmt: Record<string, unknown> }[] };

function describeNode(key: string): string {
  return key
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

/** Walks every node below `node`; returns the first reason to refuse, if any. */
function findForbidden(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const reason = findForbidden(item);
      if (reason) return reason;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node)) {
    // Node types are capitalised (SelectStmt); fields such as InsertStmt.selectStmt are not.
    if (NODE_STATEMENT.test(key) && !ALLOWED_TOP_LEVEL.has(key)) {
      return `${describeNode(key)} is not allowed on the legacy database (only SELECT, INSERT and UPDATE)`;
    }
    if (key === 'SelectStmt' && (value as { intoClause?: unknown }).intoClause) {
      return 'SELECT ... INTO creates a table, which is not allowed on the legacy database';
    }
    if (key === 'FuncCall') {
      const names = ((value as { funcname?: { String?: { sval?: string } }[] }).funcname ?? []).map(
        (part) => part.String?.sval?.toLowerCase() ?? '',
      );
      const name = names[names.length - 1] ?? '';
      if (REFUSED_FUNCTIONS.has(name)) return `the function ${name}() is not allowed on the legacy database`;
    }
    const reason = findForbidden(value);
    if (reason) return reason;
  }
  return undefined;
}

const verdicts = new Map<string, string | null>();
const VERDICT_CACHE_SIZE = 1000;

/** Returns the refusal reason for a statement, or undefined when it may run. Needs loadLegacyGuard(). */
export function checkLegacyStatement(text: string): string | undefined {
  const cached = verdicts.get(text);
  if (cached !== undefined) return cached ?? undefined;

  let reason: string | undefined;
  let tree: ParseTree;
  try {
    tree = parseSync(text) as ParseTree;
  } catch (error) {
    tree = {};
    reason = `the statement does not parse: ${(error as Error).message}`;
  }
  if (!reason) {
    const statements = tree.stmts ?? [];
    if (statements.length === 0) reason = 'the statement is empty';
    else if (statements.length > 1) reason = 'send one statement at a time';
    else {
      const stmt = statements[0]!.stmt;
      const kind = Object.keys(stmt)[0] ?? '';
      reason = ALLOWED_TOP_LEVEL.has(kind)
        ? findForbidden(stmt)
        : `${describeNode(kind)} is not allowed on the legacy database (only SELECT, INSERT and UPDATE)`;
    }
  }
  if (verdicts.size >= VERDICT_CACHE_SIZE) verdicts.delete(verdicts.keys().next().value!);
  verdicts.set(text, reason ?? null);
  return reason;
}

export function assertLegacyStatementAllowed(text: string): void {
  const reason = checkLegacyStatement(text);
  if (reason) throw new LegacyStatementRefused(reason);
}
