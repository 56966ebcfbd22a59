// A read-only report on the legacy DB: one SELECT, its first rows kept (bounded) as the run output.
// The legacy guard checks it with the report rules (SELECT only, no locks, no sequence writes), and the
// legacy handle runs it inside BEGIN READ ONLY with the job's timeout as statement_timeout; a timed-out or
// abandoned run cancels the query on the server, so it never holds a pooled connection after the run ends.
import { z } from '@hono/zod-openapi';
import { checkLegacyStatement, loadLegacyGuard } from '../../db/legacy-guard.ts';
import { defineJob } from '../types.ts';

/** Why a query cannot be a report (parser-level, without the connected database's names); undefined if it can. */
export async function readOnlyProblem(query: string): Promise<string | undefined> {
  await loadLegacyGuard();
  return checkLegacyStatement(query, { mode: 'read' });
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
    // Line breaks: a trailing -- comment in the query cannot swallow the closing parenthesis.
    const bounded = `select * from (\n${query}\n) as report limit ${args.max_rows + 1}`;
    const rows = await ctx.legacyDb.report(bounded, args.params, {
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    const kept = rows.slice(0, args.max_rows);
    return {
      row_count: kept.length,
      truncated: rows.length > args.max_rows,
      columns: kept[0] ? Object.keys(kept[0]) : [],
      rows: kept,
    };
  },
});
