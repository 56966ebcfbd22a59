// A read-only report on the legacy DB: one SELECT, its first rows kept (bounded) as the run output.
import { z } from '@hono/zod-openapi';
import { parseSync } from 'libpg-query';
import { assertLegacyStatementAllowed, loadLegacyGuard } from '../../db/legacy-guard.ts';
import { defineJob } from '../types.ts';

/** The legacy guard allows INSERT/UPDATE; a report must be a plain read, checked with the real parser. */
export async function readOnlyProblem(query: string): Promise<string | undefined> {
  await loadLegacyGuard();
  let tree: { stmts?: { stmt: Record<string, unknown> }[] };
  try {
    tree = parseSync(query) as typeof tree;
  } catch (error) {
    return `the query does not parse: ${(error as Error).message}`;
  }
  const statements = tree.stmts ?? [];
  if (statements.length !== 1) return 'send exactly one SELECT statement';
  const stmt = statements[0]!.stmt;
  if (!('SelectStmt' in stmt)) return 'a report runs a SELECT only';
  const text = JSON.stringify(stmt);
  if (text.includes('"InsertStmt"') || text.includes('"UpdateStmt"')) {
    return 'a report may not modify data (no INSERT/UPDATE inside WITH)';
  }
  if (text.includes('"lockingClause"')) return 'a report may not lock rows (FOR UPDATE/SHARE)';
  return undefined;
}

export const legacySqlReportJob = defineJob({
  key: 'app.jobs.legacy:sql_report',
  description:
    'Runs one read-only SELECT on the legacy database and stores the row count and the first rows in the run output.',
  argsSchema: z
    .object({
      query: z.string().min(1).max(20_000),
      params: z
        .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
        .max(100)
        .default([]),
      max_rows: z.number().int().min(1).max(1000).default(100),
    })
    .strict(),
  async run(ctx, args) {
    if (!ctx.legacyDb) throw new Error('no legacy database is configured (DB_LEGACY_URL)');
    const query = args.query.trim().replace(/;\s*$/, '');
    const problem = await readOnlyProblem(query);
    if (problem) throw new Error(problem);
    const bounded = `select * from (${query}) as report limit ${args.max_rows + 1}`;
    assertLegacyStatementAllowed(bounded);
    const rows = await ctx.legacyDb.query(bounded, args.params);
    const kept = rows.slice(0, args.max_rows);
    return {
      row_count: kept.length,
      truncated: rows.length > args.max_rows,
      columns: kept[0] ? Object.keys(kept[0]) : [],
      rows: kept,
    };
  },
});
