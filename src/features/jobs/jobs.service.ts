// The jobs service: every change to scheduled jobs and runs goes through here (API and admin UI).
// Each mutation runs in one transaction with its audit_log row and a NOTIFY to the scheduler's channel,
// so every replica re-arms within a moment of the commit. Statements: jobs.sql.ts; API shapes:
// jobs.mapping.ts; what a valid definition is: job-definition.ts; runs (run now, retry, reads): jobs.runs.ts.
import { type Actor, recordAudit } from '../../audit/record-audit.ts';
import type { SqlClient, SqlExecutor } from '../../db/index.ts';
import { createWhere } from '../../db/where.ts';
import { AppError } from '../../http/errors.ts';
import { assertId, nameTaken } from '../../http/resource-errors.ts';
import { parseOrThrow } from '../../http/validation.ts';
import type { JobRegistry } from '../../job-functions/registry.ts';
import { nextFire, parseCron, previewCron } from '../../scheduler/cron.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { checkVersion, JOB_INVALID, type JobDefinition, validateDefinition } from './job-definition.ts';
import { toJob } from './jobs.mapping.ts';
import { createRunCommands } from './jobs.runs.ts';
import {
  type Job,
  type JobCreate,
  JobCreateSchema,
  type JobListQuery,
  type JobUpdate,
  JobUpdateSchema,
  type Page,
} from './jobs.schemas.ts';
import * as sql from './jobs.sql.ts';

export type { Actor } from '../../audit/record-audit.ts';
export { urlOriginChanged } from './job-definition.ts';
export { toJob, toRun } from './jobs.mapping.ts';

export interface JobsServiceDeps {
  db: SqlClient;
  registry: JobRegistry;
  /** Wakes this process's dispatcher at once (the NOTIFY reaches the other replicas). */
  poke?: () => void;
  now?: () => Date;
  /** Seals secret arguments (ENCRYPTION_KEY). Without a key, saving a secret value is refused. */
  secrets: SecretBox;
}

export type JobsService = ReturnType<typeof createJobsService>;

export function createJobsService(deps: JobsServiceDeps) {
  const { db, registry, secrets } = deps;
  const now = deps.now ?? (() => new Date());

  const validate = (job: JobDefinition, storedKwargs?: unknown) =>
    validateDefinition(registry, secrets, job, storedKwargs);

  /** Locks the job, applies the change, writes the audit row (before/after) and tells the schedulers. */
  async function mutate(
    id: string,
    actor: Actor,
    action: string,
    change: (tx: SqlExecutor, row: sql.JobRow) => Promise<sql.JobRow>,
  ): Promise<Job> {
    assertId(id, 'job');
    return db.transaction(async (tx) => {
      const before = await sql.lockJob(tx, id);
      if (!before) throw new AppError(404, 'not_found', `No job ${id}`);
      const after = await change(tx, before);
      await recordAudit(tx, actor, {
        action,
        targetType: 'scheduled_job',
        targetId: id,
        before: toJob(before),
        after: toJob(after),
      });
      await sql.notifyScheduler(tx, `job:${id}`);
      return toJob(after);
    });
  }

  const nextRunAt = (cronExpr: string, timezone: string) => {
    const parsed = parseCron(cronExpr, timezone);
    return parsed.ok ? (nextFire(parsed.cron, now())?.toISOString() ?? null) : null;
  };

  return {
    ...createRunCommands({ db, registry, poke: deps.poke }),

    async createJob(input: JobCreate, actor: Actor): Promise<Job> {
      const data = parseOrThrow<ReturnType<typeof JobCreateSchema.parse>>(
        JobCreateSchema,
        input,
        JOB_INVALID,
      );
      const { kwargs } = validate(data);
      const next = data.enabled ? nextRunAt(data.cron, data.timezone) : null;
      const values: sql.JobValues = {
        name: data.name,
        description: data.description,
        func: data.func,
        cron: data.cron.trim(),
        timezone: data.timezone,
        args: data.args,
        kwargs,
        enabled: data.enabled,
        timeoutSeconds: data.timeout_seconds,
        maxRetries: data.max_retries,
        retryBackoffSeconds: data.retry_backoff_seconds,
        overlapPolicy: data.overlap_policy,
        misfirePolicy: data.misfire_policy,
        misfireGraceSeconds: data.misfire_grace_seconds,
        misfireMaxCatchup: data.misfire_max_catchup,
        retentionMaxRuns: data.retention_max_runs,
        retentionMaxAgeDays: data.retention_max_age_days,
      };
      return db
        .transaction(async (tx) => {
          const row = await sql.insertJob(tx, values, next, actor.subject);
          await recordAudit(tx, actor, {
            action: 'job.create',
            targetType: 'scheduled_job',
            targetId: row.id,
            before: null,
            after: toJob(row),
          });
          await sql.notifyScheduler(tx, `job:${row.id}`);
          return toJob(row);
        })
        .catch(nameTaken('A job', data.name));
    },

    async updateJob(id: string, input: JobUpdate, expectedVersion: number | undefined, actor: Actor) {
      const data = parseOrThrow<ReturnType<typeof JobUpdateSchema.parse>>(
        JobUpdateSchema,
        input,
        JOB_INVALID,
      );
      const { version: bodyVersion, ...changes } = data;
      return mutate(id, actor, 'job.update', async (tx, row) => {
        if (row.archivedAt) throw new AppError(409, 'job_archived', 'Unarchive the job before editing it');
        checkVersion(row, expectedVersion ?? bodyVersion);
        const merged: sql.JobValues = {
          name: changes.name ?? row.name,
          description: changes.description ?? row.description,
          func: changes.func ?? row.func,
          cron: (changes.cron ?? row.cron).trim(),
          timezone: changes.timezone ?? row.timezone,
          args: changes.args ?? row.args,
          kwargs: changes.kwargs ?? row.kwargs,
          enabled: changes.enabled ?? row.enabled,
          timeoutSeconds: changes.timeout_seconds ?? row.timeoutSeconds,
          maxRetries: changes.max_retries ?? row.maxRetries,
          retryBackoffSeconds: changes.retry_backoff_seconds ?? row.retryBackoffSeconds,
          overlapPolicy: changes.overlap_policy ?? row.overlapPolicy,
          misfirePolicy: changes.misfire_policy ?? row.misfirePolicy,
          misfireGraceSeconds: changes.misfire_grace_seconds ?? row.misfireGraceSeconds,
          misfireMaxCatchup: changes.misfire_max_catchup ?? row.misfireMaxCatchup,
          // null clears a retention limit; left out keeps it.
          retentionMaxRuns:
            changes.retention_max_runs === undefined ? row.retentionMaxRuns : changes.retention_max_runs,
          retentionMaxAgeDays:
            changes.retention_max_age_days === undefined
              ? row.retentionMaxAgeDays
              : changes.retention_max_age_days,
        };
        // Stored secrets are carried only while the function stays the same.
        const { kwargs } = validate(merged, merged.func === row.func ? row.kwargs : undefined);
        // The cron as sent decides whether the schedule changed (trimmed only when written).
        const scheduleChanged =
          (changes.cron ?? row.cron) !== row.cron ||
          merged.timezone !== row.timezone ||
          merged.enabled !== row.enabled;
        const next = scheduleChanged
          ? merged.enabled
            ? nextRunAt(merged.cron, merged.timezone)
            : null
          : (row.nextRunAt?.toISOString() ?? null);
        return sql
          .updateJob(tx, id, { ...merged, kwargs }, next, actor.subject)
          .catch(nameTaken('A job', merged.name));
      });
    },

    /** Enabling starts from the next tick after now: a pause never bursts missed runs on resume. */
    setEnabled(id: string, enabled: boolean, actor: Actor, expectedVersion?: number) {
      return mutate(id, actor, enabled ? 'job.enable' : 'job.disable', async (tx, row) => {
        if (row.archivedAt) throw new AppError(409, 'job_archived', 'Unarchive the job first');
        if (expectedVersion !== undefined) checkVersion(row, expectedVersion);
        if (row.enabled === enabled) return row;
        const next = enabled ? nextRunAt(row.cron, row.timezone) : null;
        return sql.setJobEnabled(tx, id, enabled, next, actor.subject);
      });
    },

    /** Archived jobs never run and are hidden from the default list; nothing is deleted. */
    archiveJob(id: string, actor: Actor) {
      return mutate(id, actor, 'job.archive', async (tx, row) =>
        row.archivedAt ? row : sql.setJobArchived(tx, id, true, actor.subject),
      );
    },

    /** Comes back disabled: an operator enables it deliberately. */
    unarchiveJob(id: string, actor: Actor) {
      return mutate(id, actor, 'job.unarchive', async (tx, row) =>
        row.archivedAt ? sql.setJobArchived(tx, id, false, actor.subject) : row,
      );
    },

    async getJob(id: string): Promise<Job> {
      assertId(id, 'job');
      const row = await sql.selectJobWithLastRun(db, id);
      if (!row) throw new AppError(404, 'not_found', `No job ${id}`);
      return toJob(row);
    },

    async listJobs(query: JobListQuery = {}): Promise<Page<Job>> {
      const q = { page: 1, page_size: 20, archived: 'exclude' as const, sort: 'name' as const, ...query };
      const where = createWhere();
      if (q.archived === 'exclude') where.raw('j.archived_at is null');
      if (q.archived === 'only') where.raw('j.archived_at is not null');
      if (q.enabled !== undefined) where.add('j.enabled = ?', q.enabled);
      if (q.status) where.add('j.status = ?', q.status);
      if (q.func) where.add('j.func = ?', q.func);
      if (q.q) where.add(`j.name ilike ?`, `%${q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
      const { rows, total } = await sql.selectJobPage(db, where, q.sort, q.page, q.page_size);
      return { items: rows.map(toJob), total, page: q.page, page_size: q.page_size };
    },

    /** Whether an expression is valid in a zone, its next fire times (in the zone and UTC) and a description. */
    previewCron(expr: string, timezone = 'UTC', count = 5, from?: Date) {
      return previewCron(expr, timezone, count, from ?? now());
    },

    /** Registered functions with their kwargs JSON Schema. */
    listFunctions() {
      return registry.list().map((fn) => ({
        key: fn.key,
        description: fn.description,
        args_schema: registry.jsonSchema(fn.key) as Record<string, unknown>,
      }));
    },
  };
}
