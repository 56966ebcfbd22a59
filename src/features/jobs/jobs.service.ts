// The jobs service: every change to scheduled jobs and runs goes through here (API now, admin UI later).
// Each mutation runs in one transaction with its audit_log row and a NOTIFY to the scheduler's channel,
// so every replica re-arms within a moment of the commit.
import type { SqlClient, SqlExecutor } from '../../db/index.ts';
import { createWhere } from '../../db/where.ts';
import { AppError } from '../../http/errors.ts';
import { parseOrThrow, type ValidationIssue } from '../../http/validation.ts';
import type { JobRegistry } from '../../job-functions/registry.ts';
import { cronProblems, describeCron, nextFire, parseCron, previewCron } from '../../scheduler/cron.ts';
import { SCHEDULER_CHANNEL } from '../../scheduler/types.ts';
import { mergeSecretInput, openSecrets, sealSecrets } from '../../secrets/schema-secrets.ts';
import { maskSealed, type SecretBox } from '../../secrets/secret-box.ts';
import {
  type Job,
  type JobCreate,
  JobCreateSchema,
  type JobListQuery,
  type JobUpdate,
  JobUpdateSchema,
  type Page,
  type Run,
  type RunListQuery,
} from './jobs.schemas.ts';

/** Who asks, for audit rows. */
export interface Actor {
  subject: string;
  traceId?: string;
  clientIp?: string;
}

export interface JobsServiceDeps {
  db: SqlClient;
  registry: JobRegistry;
  /** Wakes this process's dispatcher at once (the NOTIFY reaches the other replicas). */
  poke?: () => void;
  now?: () => Date;
  /** Seals secret arguments (ENCRYPTION_KEY). Without a key, saving a secret value is refused. */
  secrets: SecretBox;
}

type Row = Record<string, unknown>;

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);

export function toJob(row: Row): Job {
  return {
    id: row.id as string,
    name: row.name as string,
    description: row.description as string,
    func: row.func as string,
    cron: row.cron as string,
    cron_description: describeCron(row.cron as string) ?? null,
    timezone: row.timezone as string,
    args: row.args as unknown[],
    // Secret arguments are write-only: sealed values read as {"set": true}.
    kwargs: maskSealed(row.kwargs) as Record<string, unknown>,
    enabled: row.enabled as boolean,
    timeout_seconds: row.timeout_seconds as number,
    max_retries: row.max_retries as number,
    retry_backoff_seconds: row.retry_backoff_seconds as number,
    overlap_policy: row.overlap_policy as Job['overlap_policy'],
    misfire_policy: row.misfire_policy as Job['misfire_policy'],
    misfire_grace_seconds: row.misfire_grace_seconds as number,
    misfire_max_catchup: row.misfire_max_catchup as number,
    status: row.status as string,
    last_run_at: iso(row.last_run_at),
    next_run_at: iso(row.next_run_at),
    version: row.version as number,
    archived_at: iso(row.archived_at),
    created_by: (row.created_by as string | null) ?? null,
    updated_by: (row.updated_by as string | null) ?? null,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
    ...('last_run_id' in row
      ? {
          last_run: row.last_run_id
            ? {
                id: row.last_run_id as string,
                status: row.last_run_status as Run['status'],
                trigger: row.last_run_trigger as Run['trigger'],
                scheduled_for: iso(row.last_run_scheduled_for)!,
                started_at: iso(row.last_run_started_at),
                finished_at: iso(row.last_run_finished_at),
                duration_ms: (row.last_run_duration_ms as number | null) ?? null,
              }
            : null,
        }
      : {}),
  };
}

/**
 * Jobs with their most recent run, in one statement (one index probe per job on job_runs_job_created_idx).
 * `extra` adds columns to the select list (the list's total).
 */
const jobsWithLastRun = (extra = '') => `select j.*, lr.id as last_run_id, lr.status as last_run_status,
    lr.trigger as last_run_trigger, lr.scheduled_for as last_run_scheduled_for,
    lr.started_at as last_run_started_at, lr.finished_at as last_run_finished_at,
    lr.duration_ms as last_run_duration_ms${extra}
  from scheduled_jobs j
  left join lateral (
    select id, status, trigger, scheduled_for, started_at, finished_at, duration_ms from job_runs
    where job_id = j.id order by created_at desc limit 1
  ) lr on true`;
const JOBS_WITH_LAST_RUN = jobsWithLastRun();

export function toRun(row: Row): Run {
  return {
    id: row.id as string,
    job_id: row.job_id as string,
    job_name: (row.job_name as string | undefined) ?? null,
    scheduled_for: iso(row.scheduled_for)!,
    trigger: row.trigger as Run['trigger'],
    status: row.status as Run['status'],
    attempt: row.attempt as number,
    retry_of: (row.retry_of as string | null) ?? null,
    idempotency_key: (row.idempotency_key as string | null) ?? null,
    replica_id: (row.replica_id as string | null) ?? null,
    requested_by: (row.requested_by as string | null) ?? null,
    not_before: iso(row.not_before),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    duration_ms: (row.duration_ms as number | null) ?? null,
    output: row.output ?? null,
    // Rows written before stacks were left out of run rows may still hold one: never shown.
    error: row.error ? { ...(row.error as NonNullable<Run['error']>), stack: undefined } : null,
    note: (row.note as string | null) ?? null,
    created_at: iso(row.created_at)!,
  };
}

const JOB_SORT_SQL: Record<string, string> = {
  name: 'j.name asc',
  '-name': 'j.name desc',
  created_at: 'j.created_at asc, j.name',
  '-created_at': 'j.created_at desc, j.name',
  updated_at: 'j.updated_at asc, j.name',
  '-updated_at': 'j.updated_at desc, j.name',
  next_run_at: 'j.next_run_at asc nulls last, j.name',
  '-next_run_at': 'j.next_run_at desc nulls last, j.name',
  last_run_at: 'j.last_run_at asc nulls last, j.name',
  '-last_run_at': 'j.last_run_at desc nulls last, j.name',
};

const RUN_COLUMNS = `r.id, r.job_id, j.name as job_name, r.scheduled_for, r.trigger, r.status, r.attempt, r.retry_of,
  r.idempotency_key, r.replica_id, r.requested_by, r.not_before, r.started_at, r.finished_at, r.duration_ms,
  r.output, r.error, r.note, r.created_at`;

const JOB_INVALID = 'The job is not valid';

function invalid(message: string, issues: ValidationIssue[]): never {
  throw new AppError(422, 'validation_error', message, issues);
}

function issue(path: string, message: string): ValidationIssue {
  return { location: 'body', path, message, code: 'custom' };
}

export type JobsService = ReturnType<typeof createJobsService>;

/** True when both argument sets name a `url` and their origins (scheme, host, port) differ. */
export function urlOriginChanged(stored: unknown, incoming: unknown): boolean {
  const urlOf = (kwargs: unknown) =>
    kwargs && typeof kwargs === 'object' && typeof (kwargs as { url?: unknown }).url === 'string'
      ? (kwargs as { url: string }).url
      : undefined;
  const before = urlOf(stored);
  const after = urlOf(incoming);
  if (before === undefined || after === undefined) return false;
  const originOf = (url: string) => {
    try {
      return new URL(url).origin;
    } catch {
      return url;
    }
  };
  return originOf(before) !== originOf(after);
}

export function createJobsService(deps: JobsServiceDeps) {
  const { db, registry } = deps;
  const now = deps.now ?? (() => new Date());
  const { secrets } = deps;

  /**
   * Checks func, args and cron/timezone together and answers every problem at once. Secret arguments are merged
   * with the stored ones (absent keeps, {"set": false} clears), validated in the clear, and returned sealed.
   */
  function validateDefinition(
    job: { func: string; args: unknown; kwargs: unknown; cron: string; timezone: string },
    storedKwargs?: unknown,
  ) {
    const issues: ValidationIssue[] = [];
    let kwargs: unknown = job.kwargs;
    const fn = registry.get(job.func);
    if (!fn) {
      issues.push(issue('func', `no job function "${job.func}" is registered (GET /functions lists them)`));
    } else {
      const schema = fn.argsSchema;
      // Secrets were entered for one destination: when the URL's origin changes, the stored ones are not
      // carried over (absent clears them, {"set": true} is refused); the same request may re-enter them.
      const carried = urlOriginChanged(storedKwargs, job.kwargs) ? undefined : storedKwargs;
      const plain = openSecrets(schema, mergeSecretInput(schema, job.kwargs ?? {}, carried), secrets);
      const checked = registry.validateArgs(job.func, job.args, plain);
      if (checked.ok) kwargs = sealSecrets(schema, checked.kwargs, secrets);
      else issues.push(...checked.issues);
    }
    const problems = cronProblems(job.cron, job.timezone);
    for (const problem of problems) issues.push(issue(problem.field, problem.message));
    if (issues.length) invalid(JOB_INVALID, issues);
    const cron = parseCron(job.cron, job.timezone);
    return { kwargs, cron: cron.ok ? cron.cron : undefined };
  }

  async function audit(
    tx: SqlExecutor,
    actor: Actor,
    action: string,
    targetType: string,
    targetId: string,
    before: unknown,
    after: unknown,
  ) {
    await tx.query(
      `insert into audit_log (actor, action, target_type, target_id, before, after, trace_id, client_ip)
       values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)`,
      [
        actor.subject,
        action,
        targetType,
        targetId,
        before === null ? null : JSON.stringify(before),
        after === null ? null : JSON.stringify(after),
        actor.traceId ?? null,
        actor.clientIp ?? null,
      ],
    );
  }

  const notify = (tx: SqlExecutor, payload: string) =>
    tx.query('select pg_notify($1, $2)', [SCHEDULER_CHANNEL, payload]);

  async function lockJob(tx: SqlExecutor, id: string): Promise<Row> {
    const [row] = await tx.query(`select * from scheduled_jobs where id = $1 for update`, [id]);
    if (!row) throw new AppError(404, 'not_found', `No job ${id}`);
    return row;
  }

  function isUuid(id: string) {
    return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  }

  function assertId(id: string, what = 'job') {
    if (!isUuid(id)) throw new AppError(404, 'not_found', `No ${what} ${id}`);
  }

  function nameTaken(error: unknown, name: string): never {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError(409, 'name_taken', `A job named "${name}" already exists`, { field: 'name' });
    }
    throw error;
  }

  /** A stale or missing version is a conflict the client can resolve: the current job is in the detail. */
  function checkVersion(row: Row, expected: number | undefined) {
    if (expected === undefined) {
      throw new AppError(
        428,
        'precondition_required',
        'Send the version you edited (If-Match header or "version" in the body)',
      );
    }
    if (row.version !== expected) {
      throw new AppError(
        409,
        'version_conflict',
        `The job was changed by someone else (you edited version ${expected}; it is now ${row.version})`,
        { current: toJob(row) },
      );
    }
  }

  async function mutate(
    id: string,
    actor: Actor,
    action: string,
    change: (tx: SqlExecutor, row: Row) => Promise<Row>,
  ): Promise<Job> {
    assertId(id);
    const job = await db.transaction(async (tx) => {
      const before = await lockJob(tx, id);
      const after = await change(tx, before);
      await audit(tx, actor, action, 'scheduled_job', id, toJob(before), toJob(after));
      await notify(tx, `job:${id}`);
      return toJob(after);
    });
    return job;
  }

  const nextRunAt = (cronExpr: string, timezone: string) => {
    const parsed = parseCron(cronExpr, timezone);
    return parsed.ok ? (nextFire(parsed.cron, now())?.toISOString() ?? null) : null;
  };

  return {
    async createJob(input: JobCreate, actor: Actor): Promise<Job> {
      const data = parseOrThrow<ReturnType<typeof JobCreateSchema.parse>>(
        JobCreateSchema,
        input,
        JOB_INVALID,
      );
      const { kwargs } = validateDefinition(data);
      const next = data.enabled ? nextRunAt(data.cron, data.timezone) : null;
      return db
        .transaction(async (tx) => {
          const [row] = await tx.query(
            `insert into scheduled_jobs (name, description, func, cron, timezone, args, kwargs, enabled,
               timeout_seconds, max_retries, retry_backoff_seconds, overlap_policy, misfire_policy,
               misfire_grace_seconds, misfire_max_catchup, next_run_at, created_by, updated_by,
               status)
             values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, 'idle')
             returning *`,
            [
              data.name,
              data.description,
              data.func,
              data.cron.trim(),
              data.timezone,
              JSON.stringify(data.args),
              JSON.stringify(kwargs),
              data.enabled,
              data.timeout_seconds,
              data.max_retries,
              data.retry_backoff_seconds,
              data.overlap_policy,
              data.misfire_policy,
              data.misfire_grace_seconds,
              data.misfire_max_catchup,
              next,
              actor.subject,
            ],
          );
          await audit(tx, actor, 'job.create', 'scheduled_job', row!.id as string, null, toJob(row!));
          await notify(tx, `job:${row!.id}`);
          return toJob(row!);
        })
        .catch((error) => nameTaken(error, data.name));
    },

    async updateJob(id: string, input: JobUpdate, expectedVersion: number | undefined, actor: Actor) {
      const data = parseOrThrow<ReturnType<typeof JobUpdateSchema.parse>>(
        JobUpdateSchema,
        input,
        JOB_INVALID,
      );
      const { version: bodyVersion, ...changes } = data;
      return mutate(id, actor, 'job.update', async (tx, row) => {
        if (row.archived_at) throw new AppError(409, 'job_archived', 'Unarchive the job before editing it');
        checkVersion(row, expectedVersion ?? bodyVersion);
        const merged = { ...(row as Record<string, unknown>), ...changes } as Row;
        const { kwargs } = validateDefinition(
          {
            func: merged.func as string,
            args: merged.args,
            kwargs: merged.kwargs,
            cron: (merged.cron as string).trim(),
            timezone: merged.timezone as string,
          },
          merged.func === row.func ? row.kwargs : undefined,
        );
        const scheduleChanged =
          merged.cron !== row.cron || merged.timezone !== row.timezone || merged.enabled !== row.enabled;
        const next = scheduleChanged
          ? merged.enabled
            ? nextRunAt(merged.cron as string, merged.timezone as string)
            : null
          : (row.next_run_at ?? null);
        const [updated] = await tx
          .query(
            `update scheduled_jobs set name = $2, description = $3, func = $4, cron = $5, timezone = $6,
             args = $7::jsonb, kwargs = $8::jsonb, enabled = $9, timeout_seconds = $10, max_retries = $11,
             retry_backoff_seconds = $12, overlap_policy = $13, misfire_policy = $14, misfire_grace_seconds = $15,
             misfire_max_catchup = $16, next_run_at = $17, updated_by = $18, updated_at = now(),
             version = version + 1
           where id = $1 returning *`,
            [
              id,
              merged.name,
              merged.description,
              merged.func,
              (merged.cron as string).trim(),
              merged.timezone,
              JSON.stringify(merged.args),
              JSON.stringify(kwargs),
              merged.enabled,
              merged.timeout_seconds,
              merged.max_retries,
              merged.retry_backoff_seconds,
              merged.overlap_policy,
              merged.misfire_policy,
              merged.misfire_grace_seconds,
              merged.misfire_max_catchup,
              next ? new Date(next as string | Date).toISOString() : null,
              actor.subject,
            ],
          )
          .catch((error) => nameTaken(error, merged.name as string));
        return updated!;
      });
    },

    /** Enabling starts from the next tick after now: a pause never bursts missed runs on resume. */
    setEnabled(id: string, enabled: boolean, actor: Actor, expectedVersion?: number) {
      return mutate(id, actor, enabled ? 'job.enable' : 'job.disable', async (tx, row) => {
        if (row.archived_at) throw new AppError(409, 'job_archived', 'Unarchive the job first');
        if (expectedVersion !== undefined) checkVersion(row, expectedVersion);
        if (row.enabled === enabled) return row;
        const [updated] = await tx.query(
          `update scheduled_jobs set enabled = $2, next_run_at = $3, updated_by = $4, updated_at = now(),
             version = version + 1
           where id = $1 returning *`,
          [
            id,
            enabled,
            enabled ? nextRunAt(row.cron as string, row.timezone as string) : null,
            actor.subject,
          ],
        );
        return updated!;
      });
    },

    /** Archived jobs never run and are hidden from the default list; nothing is deleted. */
    archiveJob(id: string, actor: Actor) {
      return mutate(id, actor, 'job.archive', async (tx, row) => {
        if (row.archived_at) return row;
        const [updated] = await tx.query(
          `update scheduled_jobs set archived_at = now(), enabled = false, next_run_at = null, updated_by = $2,
             updated_at = now(), version = version + 1
           where id = $1 returning *`,
          [id, actor.subject],
        );
        return updated!;
      });
    },

    /** Comes back disabled: an operator enables it deliberately. */
    unarchiveJob(id: string, actor: Actor) {
      return mutate(id, actor, 'job.unarchive', async (tx, row) => {
        if (!row.archived_at) return row;
        const [updated] = await tx.query(
          `update scheduled_jobs set archived_at = null, enabled = false, next_run_at = null, updated_by = $2,
             updated_at = now(), version = version + 1
           where id = $1 returning *`,
          [id, actor.subject],
        );
        return updated!;
      });
    },

    /** Queues a manual run. The same Idempotency-Key for the same job returns the first run, not a second. */
    async runNow(id: string, actor: Actor, idempotencyKey?: string): Promise<{ run: Run; created: boolean }> {
      assertId(id);
      const result = await db.transaction(async (tx) => {
        const job = await lockJob(tx, id);
        if (idempotencyKey) {
          const [existing] = await tx.query(
            `select ${RUN_COLUMNS} from job_runs r join scheduled_jobs j on j.id = r.job_id
             where r.job_id = $1 and r.idempotency_key = $2`,
            [id, idempotencyKey],
          );
          if (existing) return { run: toRun(existing), created: false };
        }
        if (job.archived_at) throw new AppError(409, 'job_archived', 'An archived job cannot run');
        if (!registry.has(job.func as string)) {
          throw new AppError(409, 'function_unregistered', `This build has no job function "${job.func}"`);
        }
        const [row] = await tx.query(
          `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, idempotency_key, requested_by, not_before, note)
           values ($1, now(), 'manual', 'queued', 1, $2, $3, now(), 'run now')
           returning *`,
          [id, idempotencyKey ?? null, actor.subject],
        );
        await audit(tx, actor, 'job.run', 'scheduled_job', id, null, {
          run_id: row!.id,
          idempotency_key: idempotencyKey ?? null,
        });
        await notify(tx, 'run');
        return { run: toRun({ ...row!, job_name: job.name }), created: true };
      });
      if (result.created) deps.poke?.();
      return result;
    },

    /** Gives a dead run one more attempt (a manual run pointing back at it). Retrying twice returns the same retry. */
    async retryRun(runId: string, actor: Actor): Promise<{ run: Run; created: boolean }> {
      assertId(runId, 'run');
      const result = await db.transaction(async (tx) => {
        const [dead] = await tx.query(`select * from job_runs where id = $1`, [runId]);
        if (!dead) throw new AppError(404, 'not_found', `No run ${runId}`);
        const job = await lockJob(tx, dead.job_id as string);
        const key = `retry:${runId}`;
        const [existing] = await tx.query(
          `select ${RUN_COLUMNS} from job_runs r join scheduled_jobs j on j.id = r.job_id
           where r.job_id = $1 and r.idempotency_key = $2`,
          [dead.job_id, key],
        );
        if (existing) return { run: toRun(existing), created: false };
        if (dead.status !== 'dead') {
          throw new AppError(
            409,
            'run_not_dead',
            `Only dead runs can be retried; this one is ${dead.status}`,
          );
        }
        if (job.archived_at) throw new AppError(409, 'job_archived', 'An archived job cannot run');
        const [row] = await tx.query(
          `insert into job_runs (job_id, scheduled_for, trigger, status, attempt, retry_of, idempotency_key,
             requested_by, not_before, note)
           values ($1, $2, 'manual', 'queued', $3, $4, $5, $6, now(), 'manual retry of a dead run')
           returning *`,
          [
            dead.job_id,
            new Date(dead.scheduled_for as string).toISOString(),
            (dead.attempt as number) + 1,
            runId,
            key,
            actor.subject,
          ],
        );
        await audit(tx, actor, 'run.retry', 'job_run', runId, null, { run_id: row!.id });
        await notify(tx, 'run');
        return { run: toRun({ ...row!, job_name: job.name }), created: true };
      });
      if (result.created) deps.poke?.();
      return result;
    },

    async getJob(id: string): Promise<Job> {
      assertId(id);
      const [row] = await db.query(`${JOBS_WITH_LAST_RUN} where j.id = $1`, [id]);
      if (!row) throw new AppError(404, 'not_found', `No job ${id}`);
      return toJob(row);
    },

    async listJobs(query: JobListQuery = {}): Promise<Page<Job>> {
      const q = { page: 1, page_size: 20, archived: 'exclude' as const, sort: 'name' as const, ...query };
      const where = createWhere();
      const { add, params } = where;
      if (q.archived === 'exclude') where.raw('j.archived_at is null');
      if (q.archived === 'only') where.raw('j.archived_at is not null');
      if (q.enabled !== undefined) add('j.enabled = ?', q.enabled);
      if (q.status) add('j.status = ?', q.status);
      if (q.func) add('j.func = ?', q.func);
      if (q.q) add(`j.name ilike ?`, `%${q.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
      const whereSql = where.sql();
      const countSql = `select count(*)::int from scheduled_jobs j ${whereSql}`;
      // The page and its total in one round trip: the count is an uncorrelated subquery (run once).
      const rows = await db.query(
        `${jobsWithLastRun(`, (${countSql}) as total_count`)} ${whereSql}
         order by ${JOB_SORT_SQL[q.sort] ?? JOB_SORT_SQL.name}
         limit ${Math.min(Math.max(Math.trunc(q.page_size), 1), 100)} offset ${Math.max(Math.trunc(q.page) - 1, 0) * Math.min(Math.max(Math.trunc(q.page_size), 1), 100)}`,
        params,
      );
      let total = rows[0]?.total_count as number | undefined;
      if (total === undefined && q.page > 1) {
        // Past the last page: no row carried the total.
        const [count] = await db.query<{ n: number }>(
          countSql.replace('count(*)::int', 'count(*)::int as n'),
          params,
        );
        total = count?.n;
      }
      return { items: rows.map(toJob), total: total ?? 0, page: q.page, page_size: q.page_size };
    },

    async listRuns(query: RunListQuery & { job_id?: string } = {}): Promise<Page<Run>> {
      const q = { page: 1, page_size: 20, ...query };
      const where = createWhere();
      const { add, params } = where;
      if (query.job_id) {
        assertId(query.job_id);
        const [exists] = await db.query('select 1 from scheduled_jobs where id = $1', [query.job_id]);
        if (!exists) throw new AppError(404, 'not_found', `No job ${query.job_id}`);
        add('r.job_id = ?', query.job_id);
      }
      if (q.status) add('r.status = ?', q.status);
      if (q.trigger) add('r.trigger = ?', q.trigger);
      if (q.from) add('r.scheduled_for >= ?', q.from);
      if (q.to) add('r.scheduled_for < ?', q.to);
      const whereSql = where.sql();
      const [count] = await db.query<{ n: number }>(
        `select count(*)::int as n from job_runs r ${whereSql}`,
        params,
      );
      const rows = await db.query(
        `select ${RUN_COLUMNS} from job_runs r join scheduled_jobs j on j.id = r.job_id ${whereSql}
         order by r.scheduled_for desc, r.created_at desc
         limit ${Math.min(Math.max(Math.trunc(q.page_size), 1), 100)} offset ${Math.max(Math.trunc(q.page) - 1, 0) * Math.min(Math.max(Math.trunc(q.page_size), 1), 100)}`,
        params,
      );
      return { items: rows.map(toRun), total: count?.n ?? 0, page: q.page, page_size: q.page_size };
    },

    async getRun(id: string): Promise<Run> {
      assertId(id, 'run');
      const [row] = await db.query(
        `select ${RUN_COLUMNS} from job_runs r join scheduled_jobs j on j.id = r.job_id where r.id = $1`,
        [id],
      );
      if (!row) throw new AppError(404, 'not_found', `No run ${id}`);
      return toRun(row);
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
