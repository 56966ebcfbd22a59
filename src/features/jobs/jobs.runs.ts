// The runs half of the jobs service: queueing a manual run or the retry of a dead run (idempotent, audited,
// announced to the schedulers), and reading runs.
import { type Actor, recordAudit } from '../../audit/record-audit.ts';
import type { SqlClient } from '../../db/index.ts';
import { createWhere } from '../../db/where.ts';
import { AppError } from '../../http/errors.ts';
import { assertId } from '../../http/resource-errors.ts';
import type { JobRegistry } from '../../job-functions/registry.ts';
import { toRun } from './jobs.mapping.ts';
import type { Page, Run, RunListQuery } from './jobs.schemas.ts';
import * as sql from './jobs.sql.ts';

export interface RunCommandsDeps {
  db: SqlClient;
  registry: JobRegistry;
  /** Wakes this process's dispatcher at once (the NOTIFY reaches the other replicas). */
  poke?: (() => void) | undefined;
}

type QueuedRun = { run: Run; created: boolean };

export function createRunCommands({ db, registry, poke }: RunCommandsDeps) {
  const lockJob = async (tx: Parameters<typeof sql.lockJob>[0], id: string) => {
    const job = await sql.lockJob(tx, id);
    if (!job) throw new AppError(404, 'not_found', `No job ${id}`);
    return job;
  };

  const woken = (result: QueuedRun) => {
    if (result.created) poke?.();
    return result;
  };

  return {
    /** Queues a manual run. The same Idempotency-Key for the same job returns the first run, not a second. */
    async runNow(id: string, actor: Actor, idempotencyKey?: string): Promise<QueuedRun> {
      assertId(id, 'job');
      const result = await db.transaction(async (tx) => {
        const job = await lockJob(tx, id);
        if (idempotencyKey) {
          const existing = await sql.selectRunByIdempotencyKey(tx, id, idempotencyKey);
          if (existing) return { run: toRun(existing), created: false };
        }
        if (job.archivedAt) throw new AppError(409, 'job_archived', 'An archived job cannot run');
        if (!registry.has(job.func)) {
          throw new AppError(409, 'function_unregistered', `This build has no job function "${job.func}"`);
        }
        const row = await sql.insertManualRun(tx, {
          jobId: id,
          idempotencyKey: idempotencyKey ?? null,
          requestedBy: actor.subject,
          note: 'run now',
        });
        await recordAudit(tx, actor, {
          action: 'job.run',
          targetType: 'scheduled_job',
          targetId: id,
          before: null,
          after: { run_id: row.id, idempotency_key: idempotencyKey ?? null },
        });
        await sql.notifyScheduler(tx, 'run');
        return { run: toRun({ ...row, jobName: job.name }), created: true };
      });
      return woken(result);
    },

    /** Gives a dead run one more attempt (a manual run pointing back at it). Retrying twice returns the same retry. */
    async retryRun(runId: string, actor: Actor): Promise<QueuedRun> {
      assertId(runId, 'run');
      const result = await db.transaction(async (tx) => {
        const dead = await sql.selectRun(tx, runId);
        if (!dead) throw new AppError(404, 'not_found', `No run ${runId}`);
        const job = await lockJob(tx, dead.jobId);
        const key = `retry:${runId}`;
        const existing = await sql.selectRunByIdempotencyKey(tx, dead.jobId, key);
        if (existing) return { run: toRun(existing), created: false };
        if (dead.status !== 'dead') {
          throw new AppError(
            409,
            'run_not_dead',
            `Only dead runs can be retried; this one is ${dead.status}`,
          );
        }
        if (job.archivedAt) throw new AppError(409, 'job_archived', 'An archived job cannot run');
        const row = await sql.insertManualRun(tx, {
          jobId: dead.jobId,
          idempotencyKey: key,
          requestedBy: actor.subject,
          note: 'manual retry of a dead run',
          retry: { of: runId, scheduledFor: dead.scheduledFor, attempt: dead.attempt + 1 },
        });
        await recordAudit(tx, actor, {
          action: 'run.retry',
          targetType: 'job_run',
          targetId: runId,
          before: null,
          after: { run_id: row.id },
        });
        await sql.notifyScheduler(tx, 'run');
        return { run: toRun({ ...row, jobName: job.name }), created: true };
      });
      return woken(result);
    },

    async listRuns(query: RunListQuery & { job_id?: string } = {}): Promise<Page<Run>> {
      const q = { page: 1, page_size: 20, ...query };
      const where = createWhere();
      if (query.job_id) {
        assertId(query.job_id, 'job');
        if (!(await sql.jobExists(db, query.job_id))) {
          throw new AppError(404, 'not_found', `No job ${query.job_id}`);
        }
        where.add('r.job_id = ?', query.job_id);
      }
      if (q.status) where.add('r.status = ?', q.status);
      if (q.trigger) where.add('r.trigger = ?', q.trigger);
      if (q.from) where.add('r.scheduled_for >= ?', q.from);
      if (q.to) where.add('r.scheduled_for < ?', q.to);
      const { rows, total } = await sql.selectRunPage(db, where, q.page, q.page_size);
      return { items: rows.map(toRun), total, page: q.page, page_size: q.page_size };
    },

    async getRun(id: string): Promise<Run> {
      assertId(id, 'run');
      const row = await sql.selectRun(db, id);
      if (!row) throw new AppError(404, 'not_found', `No run ${id}`);
      return toRun(row);
    },
  };
}
