// Incidents: one row per (job, kind) while open; the insert that opens it is the claim, so one incident gives
// one delivery per channel however many replicas see the failure. A success closes the job's open incidents and
// sends one `recovered` message. These are the engine's run-outcome hooks (scheduler/outcome-hooks.ts).
import type { SqlExecutor } from '../../db/index.ts';
import type { AlertIncidentKind } from '../../db/schema/index.ts';
import { iso } from '../../db/timestamps.ts';
import { createWhere } from '../../db/where.ts';
import { maskSecretsInText } from '../../observability/redact.ts';
import { createCronCache, nextFire } from '../../scheduler/cron.ts';
import type { RunFailure, RunOutcomeHooks } from '../../scheduler/outcome-hooks.ts';
import type { Page } from '../jobs/jobs.schemas.ts';
import type { AlertsContext } from './alerts.context.ts';
import { toIncident } from './alerts.mapping.ts';
import type { Incident, IncidentListQuery } from './alerts.schemas.ts';
import * as sql from './alerts.sql.ts';
import type { Deliveries } from './deliveries.ts';

/** How often a replica's sweep looks for overdue jobs (detection lags the deadline by at most this plus a poll). */
export const OVERDUE_CHECK_MS = 30_000;

export function createIncidents(ctx: AlertsContext, deliveries: Deliveries) {
  const { db, settings, log } = ctx;
  const { enqueue, deliverDue } = deliveries;

  const cronOf = createCronCache();

  /** Opens an incident unless one of this kind is open for the job; only the opener enqueues messages. */
  async function openIncident(
    tx: SqlExecutor,
    incident: {
      jobId: string;
      jobName: string;
      kind: AlertIncidentKind;
      runId: string | null;
      message: string;
    },
  ): Promise<string | undefined> {
    const row = await sql.insertIncident(tx, { ...incident, message: incident.message.slice(0, 2000) });
    if (!row) return undefined;
    await enqueue(tx, {
      event: incident.kind,
      incident_id: row.id,
      job: { id: incident.jobId, name: incident.jobName },
      run_id: incident.runId,
      message: incident.message.slice(0, 1000),
      occurred_at: iso(row.openedAt)!,
    });
    log.info({ job_id: incident.jobId, kind: incident.kind, incident_id: row.id }, 'alert incident opened');
    return row.id;
  }

  /**
   * Runs inside the engine's transaction for the run's final status. A savepoint keeps an alerting problem from
   * rolling back the run's bookkeeping: the incident is lost (and logged), the run's outcome is not.
   */
  async function runFailed(tx: SqlExecutor, failure: RunFailure) {
    if (!settings.enabled || (!failure.timedOut && failure.final !== 'dead')) return;
    const base = { jobId: failure.jobId, jobName: failure.jobName, runId: failure.runId };
    const message = `attempt ${failure.attempt}: ${maskSecretsInText(failure.message)}`;
    await tx.query('savepoint alert_incident');
    try {
      if (failure.timedOut) await openIncident(tx, { ...base, kind: 'timed_out', message });
      if (failure.final === 'dead') await openIncident(tx, { ...base, kind: 'dead', message });
      await tx.query('release savepoint alert_incident');
    } catch (error) {
      await tx.query('rollback to savepoint alert_incident');
      log.error(
        { err: error, job_id: failure.jobId, run_id: failure.runId },
        'could not open an alert incident',
      );
    }
  }

  /** Closes the job's open incidents; the replica whose update closed them sends one `recovered` message. */
  async function runSucceeded(jobId: string, runId: string) {
    if (!settings.enabled) return;
    const closed = await sql.resolveIncidents(db, jobId);
    if (closed.length === 0) return;
    const queued = await db.transaction(async (tx) => {
      const jobName = await sql.selectJobName(tx, jobId);
      return enqueue(tx, {
        event: 'recovered',
        // One recovery per channel, keyed on the first closed incident (dedup across replicas).
        incident_id: closed.map((c) => c.id).sort()[0]!,
        resolved_incident_ids: closed.map((c) => c.id).sort(),
        job: { id: jobId, name: jobName ?? jobId },
        run_id: runId,
        message: `a run succeeded; resolved: ${closed
          .map((c) => c.kind)
          .sort()
          .join(', ')}`,
        occurred_at: new Date().toISOString(),
      });
    });
    if (queued.length) {
      void deliverDue(new Date()).catch((error) => log.warn({ err: error }, 'alert delivery failed'));
    }
  }

  /**
   * A job is overdue when no run succeeded by its first expected fire after the last success (or the last
   * edit, for jobs that never succeeded) plus the grace period. Checked in every replica's sweep; the incident
   * insert makes it exactly once.
   */
  async function checkOverdue(now: Date): Promise<number> {
    if (!settings.enabled) return 0;
    const graceMs = settings.overdueGraceSeconds * 1000;
    const candidates = await sql.selectOverdueCandidates(db, new Date(now.getTime() - graceMs));
    let opened = 0;
    for (const job of candidates) {
      const cron = cronOf(job.cron, job.timezone);
      if (!cron) continue;
      const expected = nextFire(cron, job.since);
      if (!expected || expected.getTime() + graceMs > now.getTime()) continue;
      const id = await db.transaction((tx) =>
        openIncident(tx, {
          jobId: job.id,
          jobName: job.name,
          kind: 'overdue',
          runId: null,
          message: `no successful run since ${job.since.toISOString()}; one was expected at ${expected.toISOString()} (grace ${settings.overdueGraceSeconds} s)`,
        }),
      );
      if (id) opened++;
    }
    return opened;
  }

  let lastOverdueCheck = Number.NEGATIVE_INFINITY;
  async function sweep(now: Date) {
    if (!settings.enabled) return;
    // Every job's next expected fire is computed per check: at most every OVERDUE_CHECK_MS, not every poll.
    if (now.getTime() - lastOverdueCheck >= OVERDUE_CHECK_MS) {
      lastOverdueCheck = now.getTime();
      await checkOverdue(now);
    }
    await deliverDue(now);
  }

  async function listIncidents(query: IncidentListQuery = {}): Promise<Page<Incident>> {
    const q = { page: 1, page_size: 20, ...query };
    const where = createWhere();
    if (q.job_id) where.add('i.job_id = ?', q.job_id);
    if (q.open === true) where.raw('i.resolved_at is null');
    if (q.open === false) where.raw('i.resolved_at is not null');
    const { rows, total } = await sql.selectIncidentPage(db, where, q.page, q.page_size);
    return { items: rows.map(toIncident), total, page: q.page, page_size: q.page_size };
  }

  const hooks: RunOutcomeHooks = { runFailed, runSucceeded, sweep };
  return { hooks, checkOverdue, listIncidents };
}
