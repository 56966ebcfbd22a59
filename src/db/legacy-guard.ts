// The legacy wall's first half (seed 000 section 5: the legacy DB is never deleted from or altered).
// Statements are parsed by PostgreSQL's own parser (libpg-query) and admitted by allow lists only:
// - statement kinds: SELECT, INSERT, UPDATE (a report: SELECT only), one statement per call;
// - every node kind and every field of the parse tree, walked generically: an unknown one is refused, so a
//   syntax added to a later parser cannot carry a call past the guard;
// - every name that can run code: function calls in every spelling (f(x), schema.f(x), x.f and (x).f, which
//   the server may run as f(x)), operators (also OPERATOR(schema.op) and ORDER BY ... USING), casts (a type's
//   input and cast functions), TABLESAMPLE methods;
// - relations outside pg_catalog, information_schema and the other pg_* schemas, in every spelling the parser
//   folds to the same name (quoted, U&"..." escapes); unqualified pg_* names are catalogs (pg_catalog is
//   searched first).
// The database role (docs/db/legacy_role.sql) is the second half; docs/operations/security.md has both.
// The names are in legacy-allow-list.ts, the syntax in legacy-syntax.ts, the database's own names in
// legacy-catalog.ts; this module walks the tree.
import { loadModule, parseSync } from 'libpg-query';
import {
  CAST_TYPES,
  OPERATORS,
  READ_FUNCTIONS,
  TABLESAMPLE_METHODS,
  WRITE_FUNCTIONS,
} from './legacy-allow-list.ts';
import { BUILT_IN_CATALOG, type LegacyCatalog } from './legacy-catalog.ts';
import { NODE_KINDS, PLAIN_FIELDS, STATEMENTS } from './legacy-syntax.ts';

export { BUILT_IN_CATALOG, type LegacyCatalog, loadLegacyCatalog } from './legacy-catalog.ts';

export class LegacyStatementRefused extends Error {
  readonly code = 'legacy_statement_refused';
  constructor(readonly reason: string) {
    super(`legacy database: statement refused: ${reason}`);
    this.name = 'LegacyStatementRefused';
  }
}

/** `write`: what the legacy handle admits (SELECT, INSERT, UPDATE). `read`: a report (one plain SELECT). */
export type LegacyStatementMode = 'write' | 'read';

let ready: Promise<void> | undefined;

/** The parser is WebAssembly; load it once before the first check. */
export function loadLegacyGuard(): Promise<void> {
  ready ??= loadModule();
  return ready;
}

/** BETWEEN is spelled as an operator name in the raw tree; the server expands it to <= and >=. */
const BETWEEN_NAMES = new Set(['BETWEEN', 'NOT BETWEEN', 'BETWEEN SYMMETRIC', 'NOT BETWEEN SYMMETRIC']);

const SYSTEM_SCHEMA = /^(pg_|information_schema$)/i;

interface Walk {
  mode: LegacyStatementMode;
  catalog: LegacyCatalog;
}

function describeStatement(kind: string): string {
  return kind
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

const onlyStatements = (mode: LegacyStatementMode) =>
  mode === 'read' ? 'a report runs one SELECT only' : 'only SELECT, INSERT and UPDATE';

function refuseStatement(kind: string, mode: LegacyStatementMode): string {
  return `${describeStatement(kind)} is not allowed on the legacy database (${onlyStatements(mode)})`;
}

/** The sval of each String node in a name list; undefined when the list holds anything else. */
function nameParts(list: unknown): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const parts: string[] = [];
  for (const item of list) {
    const sval = (item as { String?: { sval?: unknown } } | null)?.String?.sval;
    if (typeof sval !== 'string') return undefined;
    parts.push(sval);
  }
  return parts;
}

function functionProblem(name: string, qualified: boolean, walk: Walk): string | undefined {
  const allowed = READ_FUNCTIONS.has(name) || (walk.mode === 'write' && WRITE_FUNCTIONS.has(name));
  if (!allowed) {
    return `the function ${name}() is not allowed on the legacy database (it is not on the allow list of side-effect-free functions)`;
  }
  const elsewhere = walk.catalog.functionsOutsideCatalog.get(name);
  if (!qualified && elsewhere !== undefined) {
    return `the function ${name}() also exists in schema ${elsewhere}, which could be called instead; write pg_catalog.${name}(...)`;
  }
  return undefined;
}

function checkFunctionName(list: unknown, walk: Walk): string | undefined {
  const parts = nameParts(list);
  if (!parts || parts.length === 0) return 'a function call with an unrecognised name';
  const name = parts[parts.length - 1]!;
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog')) {
    return `the function ${parts.join('.')}() is not allowed on the legacy database (only built-in functions, unqualified or in pg_catalog)`;
  }
  return functionProblem(name, parts.length === 2, walk);
}

/** x.name and (x).name: a column or field when one exists, otherwise the server calls name(x). */
function checkFieldNames(list: unknown, from: number, walk: Walk): string | undefined {
  if (!Array.isArray(list)) return 'an unrecognised column reference';
  for (let index = from; index < list.length; index++) {
    const sval = (list[index] as { String?: { sval?: unknown } } | null)?.String?.sval;
    if (typeof sval !== 'string' || !walk.catalog.functionNames.has(sval)) continue;
    const problem = functionProblem(sval, false, walk);
    if (problem) return `.${sval} can call a function the same way as ${sval}(...): ${problem}`;
  }
  return undefined;
}

function checkOperator(list: unknown): string | undefined {
  const parts = nameParts(list);
  if (!parts || parts.length === 0) return 'an operator with an unrecognised name';
  const name = parts[parts.length - 1]!;
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog')) {
    return `the operator ${parts.join('.')} is not allowed on the legacy database (only built-in operators)`;
  }
  if (!OPERATORS.has(name) && !BETWEEN_NAMES.has(name)) {
    return `the operator ${name} is not allowed on the legacy database (it is not on the allow list of built-in operators)`;
  }
  return undefined;
}

function checkType(list: unknown): string | undefined {
  const parts = nameParts(list);
  if (!parts || parts.length === 0) return 'a type with an unrecognised name';
  const name = parts[parts.length - 1]!;
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog') || !CAST_TYPES.has(name)) {
    return `the type ${parts.join('.')} is not allowed on the legacy database (only built-in types; a cast can run the type's functions)`;
  }
  return undefined;
}

function checkRelation(node: Record<string, unknown>, walk: Walk): string | undefined {
  const relname = String(node.relname);
  const schema = typeof node.schemaname === 'string' ? node.schemaname : undefined;
  if (typeof node.catalogname === 'string') {
    return `the relation ${node.catalogname}.${schema}.${relname} names another database`;
  }
  if (schema !== undefined) {
    if (SYSTEM_SCHEMA.test(schema)) {
      return `the relation ${schema}.${relname} is in a system schema, which the legacy guard never reads or writes`;
    }
    return undefined;
  }
  if (/^pg_/i.test(relname) || walk.catalog.catalogRelations.has(relname)) {
    return `the relation ${relname} names a system catalog (unqualified names are looked up in pg_catalog first)`;
  }
  return undefined;
}

/** Checks what a node kind carries beyond its fields. */
function checkNode(
  kind: string,
  body: Record<string, unknown>,
  walk: Walk,
  top: boolean,
): string | undefined {
  if ((kind === 'InsertStmt' || kind === 'UpdateStmt') && !top) {
    return `${describeStatement(kind)} inside another statement (a data-modifying WITH) is not allowed on the legacy database`;
  }
  if ((kind === 'InsertStmt' || kind === 'UpdateStmt') && walk.mode === 'read') {
    return refuseStatement(kind, walk.mode);
  }
  if (kind === 'LockingClause' && walk.mode === 'read')
    return 'a report may not lock rows (FOR UPDATE/SHARE)';
  if (kind === 'CommonTableExpr') {
    const query = body.ctequery as Record<string, unknown> | undefined;
    if (!query || !('SelectStmt' in query)) {
      return 'a WITH query that modifies data is not allowed on the legacy database';
    }
  }
  return undefined;
}

/** Walks every node and every field below `node`; returns the first reason to refuse, if any. */
function walkTree(node: unknown, walk: Walk, top: boolean): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const reason = walkTree(item, walk, false);
      if (reason) return reason;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  const object = node as Record<string, unknown>;
  // A RangeVar is known by its relname (fields typed as RangeVar come without the wrapper key).
  if ('relname' in object) {
    const reason = checkRelation(object, walk);
    if (reason) return reason;
  }
  for (const [key, value] of Object.entries(object)) {
    let reason: string | undefined;
    if (/^[A-Z]/.test(key)) {
      if (!NODE_KINDS.has(key)) {
        return /Stmt$/.test(key)
          ? refuseStatement(key, walk.mode)
          : `${key} is not allowed on the legacy database (not on the guard's list of known syntax)`;
      }
      reason = checkNode(key, value as Record<string, unknown>, walk, top);
      if (!reason) reason = walkTree(value, walk, false);
      if (reason) return reason;
      continue;
    }
    switch (key) {
      case 'intoClause':
        return 'SELECT ... INTO creates a table, which is not allowed on the legacy database';
      case 'funcname':
        reason = checkFunctionName(value, walk);
        break;
      case 'name':
        // A_Expr's operator; elsewhere `name` is a plain string (a column or alias).
        if (Array.isArray(value)) reason = checkOperator(value);
        break;
      case 'operName':
      case 'useOp':
        reason = checkOperator(value);
        break;
      case 'names':
        reason = checkType(value);
        break;
      case 'method':
        reason = TABLESAMPLE_METHODS.has((nameParts(value) ?? []).join('.'))
          ? undefined
          : `the TABLESAMPLE method ${(nameParts(value) ?? []).join('.')} is not allowed on the legacy database (only system and bernoulli)`;
        break;
      case 'fields':
        reason = checkFieldNames(value, 1, walk);
        break;
      case 'indirection':
        reason = checkFieldNames(value, 0, walk);
        break;
      default:
        if (!PLAIN_FIELDS.has(key)) {
          return `the syntax element ${key} is not allowed on the legacy database (not on the guard's list of known syntax)`;
        }
    }
    if (!reason) reason = walkTree(value, walk, false);
    if (reason) return reason;
  }
  return undefined;
}

type ParseTree = { stmts?: { stmt: Record<string, unknown> }[] };

const verdicts = new WeakMap<LegacyCatalog, Map<string, string | null>>();
const VERDICT_CACHE_SIZE = 1000;

export interface LegacyCheckOptions {
  mode?: LegacyStatementMode;
  catalog?: LegacyCatalog;
}

/** Returns the refusal reason for a statement, or undefined when it may run. Needs loadLegacyGuard(). */
export function checkLegacyStatement(text: string, options: LegacyCheckOptions = {}): string | undefined {
  const mode = options.mode ?? 'write';
  const catalog = options.catalog ?? BUILT_IN_CATALOG;
  let cache = verdicts.get(catalog);
  if (!cache) {
    cache = new Map();
    verdicts.set(catalog, cache);
  }
  const cacheKey = `${mode}\u0000${text}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached ?? undefined;

  let reason: string | undefined;
  let tree: ParseTree = {};
  try {
    tree = parseSync(text) as ParseTree;
  } catch (error) {
    reason = `the statement does not parse: ${(error as Error).message}`;
  }
  if (!reason) {
    const statements = tree.stmts ?? [];
    if (statements.length === 0) reason = 'the statement is empty';
    else if (statements.length > 1) reason = 'send one statement at a time';
    else {
      const stmt = statements[0]!.stmt ?? {};
      const kind = Object.keys(stmt)[0] ?? '';
      const allowed = mode === 'read' ? kind === 'SelectStmt' : STATEMENTS.has(kind);
      if (!allowed) reason = refuseStatement(kind, mode);
      else {
        try {
          reason = walkTree(stmt, { mode, catalog }, true);
        } catch (error) {
          // A tree too deep for the walker's stack is refused, never let through.
          reason = `the statement is too complex to check: ${(error as Error).message}`;
        }
      }
    }
  }
  if (cache.size >= VERDICT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, reason ?? null);
  return reason;
}

export function assertLegacyStatementAllowed(text: string, options: LegacyCheckOptions = {}): void {
  const reason = checkLegacyStatement(text, options);
  if (reason) throw new LegacyStatementRefused(reason);
}
