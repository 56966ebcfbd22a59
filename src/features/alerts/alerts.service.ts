// The alerts service: channels (API and admin UI), and the engine's run-outcome hooks that open incidents, detect
// overdue jobs, and deliver messages with retries.
//
// Dedup: an incident is a row in alert_incidents, unique per (job, kind) while open; the insert that opens it is
// the claim, so one incident produces one delivery per channel however many replicas see the failure. A success
// closes the job's open incidents and sends one `recovered` message. Deliveries are claimed with SKIP LOCKED and
// a lease (next_attempt_at), retried with exponential backoff, and given up after ALERTS_MAX_ATTEMPTS.
import { randomUUID } from 'node:crypto';
import type { Cron } from 'croner';
import type { Actor } from '../../audit/record-audit.ts';
import { recordAuditSql } from '../../audit/record-audit.ts';
import type { Config } from '../../config/index.ts';
import type { SqlClient, SqlExecutor } from '../../db/index.ts';
import { createWhere } from '../../db/where.ts';
import { AppError } from '../../http/errors.ts';
import { parseOrThrow } from '../../http/validation.ts';
import type { Logger } from '../../observability/logger.ts';
import { maskSecretsInText } from '../../observability/redact.ts';
import { nextFire, parseCron } from '../../scheduler/cron.ts';
import type { RunFailure, RunOutcomeHooks } from '../../scheduler/outcome-hooks.ts';
import { mergeSecretInput, openSecrets, sealSecrets } from '../../secrets/schema-secrets.ts';
import { isSealedSecret, type SecretBox } from '../../secrets/secret-box.ts';
import type { Page } from '../jobs/jobs.schemas.ts';
import {
  type Channel,
  type ChannelCreate,
  ChannelCreateSchema,
  ChannelSecretsSchema,
  type ChannelUpdate,
  ChannelUpdateSchema,
  type Delivery,
  type DeliveryListQuery,
  type Incident,
  type IncidentListQuery,
} from './alerts.schemas.ts';
import type { EmailSettings } from './email.ts';
import type { AlertEvent } from './messages.ts';
import { type AlertTarget, type ChannelKind, describeFailure, sendAlert } from './send.ts';

export interface AlertsServiceDeps {
  db: SqlClient;
  config: Pick<Config, 'alerts' | 'encryption' | 'isProduction'>;
  logger: Logger;
  /** Seals channel secrets (ENCRYPTION_KEY). */
  secrets: SecretBox;
}

type Row = Record<string, unknown>;
type IncidentKind = 'dead' | 'timed_out' | 'overdue';

const iso = (value: unknown) => (value ? new Date(value as string).toISOString() : null);
const DELIVERY_BATCH = 20;
const MAX_BACKOFF_SECONDS = 3600;
/** How often a replica's sweep looks for overdue jobs (detection lags the deadline by at most this plus a poll). */
export const OVERDUE_CHECK_MS = 30_000;

export function toChannel(row: Row): Channel {
  const secrets = (row.secrets ?? {}) as Record<string, unknown>;
  return {
    id: row.id as string,
    name: row.name as string,
    kind: row.kind as Channel['kind'],
    job_id: (row.job_id as string | null) ?? null,
    events: row.events as Channel['events'],
    enabled: row.enabled as boolean,
    url: { set: isSealedSecret(secrets.url) },
    url_host: row.url_host as string,
    signing_secret: { set: isSealedSecret(secrets.signing_secret) },
    email_to: row.kind === 'email' ? ((row.settings as Partial<EmailSettings>)?.to ?? []) : null,
    email_from: row.kind === 'email' ? ((row.settings as Partial<EmailSettings>)?.from ?? null) : null,
    version: row.version as number,
    created_by: (row.created_by as string | null) ?? null,
    updated_by: (row.updated_by as string | null) ?? null,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

function toDelivery(row: Row): Delivery {
  const done = row.status === 'sent' || row.status === 'failed';
  return {
    id: row.id as string,
    channel_id: row.channel_id as string,
    channel_name: row.channel_name as string,
    incident_id: (row.incident_id as string | null) ?? null,
    job_id: (row.job_id as string | null) ?? null,
    job_name: (row.job_name as string | null) ?? null,
    event: row.event as Delivery['event'],
    status: row.status as Delivery['status'],
    attempts: row.attempts as number,
    last_error: (row.last_error as string | null) ?? null,
    next_attempt_at: done ? null : iso(row.next_attempt_at),
    sent_at: iso(row.sent_at),
    payload: row.payload as Record<string, unknown>,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

function toIncident(row: Row): Incident {
  return {
    id: row.id as string,
    job_id: row.job_id as string,
    job_name: row.job_name as string,
    kind: row.kind as Incident['kind'],
    run_id: (row.run_id as string | null) ?? null,
    message: row.message as string,
    opened_at: iso(row.opened_at)!,
    resolved_at: iso(row.resolved_at),
  };
}

const DELIVERY_COLUMNS = `d.*, c.name as channel_name, j.name as job_name`;
const DELIVERY_FROM = `alert_deliveries d join alert_channels c on c.id = d.channel_id
  left join scheduled_jobs j on j.id = d.job_id`;

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

const CHANNEL_INVALID = 'The alert channel is not valid';

function invalid(path: string, message: string): never {
  throw new AppError(422, 'validation_error', CHANNEL_INVALID, [
    { location: 'body', path, message, code: 'custom' },
  ]);
}

export type AlertsService = ReturnType<typeof createAlertsService>;

export function createAlertsService(deps: AlertsServiceDeps) {
  const { db, config } = deps;
  const settings = config.alerts;
  const { secrets } = deps;
  const log = deps.logger.child({ component: 'alerts' });

  function assertId(id: string, what: string) {
    if (!isUuid(id)) throw new AppError(404, 'not_found', `No ${what} ${id}`);
  }

  async function lockChannel(tx: SqlExecutor, id: string): Promise<Row> {
    assertId(id, 'alert channel');
    const [row] = await tx.query('select * from alert_channels where id = $1 for update', [id]);
    if (!row) throw new AppError(404, 'not_found', `No alert channel ${id}`);
    return row;
  }

  async function assertJob(tx: SqlExecutor, jobId: string | null | undefined) {
    if (!jobId) return;
    const [row] = await tx.query('select 1 from scheduled_jobs where id = $1', [jobId]);
    if (!row) invalid('job_id', `no job ${jobId}`);
  }

  function nameTaken(error: unknown, name: string): never {
    if ((error as { code?: string }).code === '23505') {
      throw new AppError(409, 'name_taken', `An alert channel named "${name}" already exists`, {
        field: 'name',
      });
    }
    throw error;
  }

  /** What each kind needs beyond the schema: the URL scheme, a signing secret, recipients. */
  function checkKind(
    kind: string,
    channel: { url?: string; hasSigningSecret: boolean; to?: string[]; from?: string },
  ) {
    const scheme = channel.url ? new URL(channel.url).protocol : undefined;
    if (kind === 'email') {
      if (scheme && scheme !== 'smtp:' && scheme !== 'smtps:') {
        invalid('url', 'an e-mail channel needs an smtp:// or smtps:// URL');
      }
      if (!channel.to?.length) invalid('email_to', 'an e-mail channel needs at least one recipient');
      if (!channel.from) invalid('email_from', 'an e-mail channel needs a sender address');
      return;
    }
    if (scheme && scheme !== 'http:' && scheme !== 'https:')
      invalid('url', `a ${kind} channel needs an http(s) URL`);
    if (kind === 'pagerduty' && !channel.hasSigningSecret) {
      invalid(
        'signing_secret',
        'a PagerDuty channel needs its integration key (Events API v2 routing key) as signing_secret',
      );
    }
    if (kind === 'webhook' && !channel.hasSigningSecret) {
      invalid(
        'signing_secret',
        'a generic webhook needs a signing secret (16+ characters) receivers verify with',
      );
    }
  }

  const crons = new Map<string, Cron | null>();
  function cronOf(expr: string, timezone: string): Cron | null {
    const key = `${timezone}|${expr}`;
    let cron = crons.get(key);
    if (cron === undefined) {
      const parsed = parseCron(expr, timezone);
      cron = parsed.ok ? parsed.cron : null;
      if (crons.size > 10_000) crons.clear();
      crons.set(key, cron);
    }
    return cron;
  }

  // ---- incidents and deliveries ---------------------------------------------------------------

  /** One pending delivery per enabled channel that wants the event (global or for this job). */
  async function enqueue(
    tx: SqlExecutor,
    event: Omit<AlertEvent, 'delivery_id'>,
    channelFilter: { channelId?: string } = {},
  ): Promise<string[]> {
    const channels = channelFilter.channelId
      ? await tx.query<{ id: string }>('select id from alert_channels where id = $1', [
          channelFilter.channelId,
        ])
      : await tx.query<{ id: string }>(
          `select id from alert_channels
           where enabled and (job_id is null or job_id = $1) and events @> jsonb_build_array($2::text)`,
          [event.job?.id ?? null, event.event],
        );
    const ids: string[] = [];
    for (const channel of channels) {
      const id = randomUUID();
      const payload: AlertEvent = { ...event, delivery_id: id };
      const inserted = await tx.query(
        `insert into alert_deliveries (id, channel_id, incident_id, job_id, event, payload)
         values ($1, $2, $3, $4, $5, $6::jsonb) on conflict do nothing returning id`,
        [id, channel.id, event.incident_id, event.job?.id ?? null, event.event, JSON.stringify(payload)],
      );
      if (inserted.length) ids.push(id);
    }
    return ids;
  }

  /** Opens an incident unless one of this kind is open for the job; only the opener enqueues messages. */
  async function openIncident(
    tx: SqlExecutor,
    incident: { jobId: string; jobName: string; kind: IncidentKind; runId: string | null; message: string },
  ): Promise<string | undefined> {
    const [row] = await tx.query<{ id: string; opened_at: Date | string }>(
      `insert into alert_incidents (job_id, kind, run_id, message) values ($1, $2, $3, $4)
       on conflict (job_id, kind) where resolved_at is null do nothing
       returning id, opened_at`,
      [incident.jobId, incident.kind, incident.runId, incident.message.slice(0, 2000)],
    );
    if (!row) return undefined;
    await enqueue(tx, {
      event: incident.kind,
      incident_id: row.id,
      job: { id: incident.jobId, name: incident.jobName },
      run_id: incident.runId,
      message: incident.message.slice(0, 1000),
      occurred_at: iso(row.opened_at)!,
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

  /**
   * Closes the job's open incidents; the replica whose update closed them sends one `recovered` message. The
   * common case (nothing open) is one indexed UPDATE that matches no row.
   */
  async function runSucceeded(jobId: string, runId: string) {
    if (!settings.enabled) return;
    const closed = await db.query<{ id: string; kind: string }>(
      `update alert_incidents set resolved_at = now() where job_id = $1 and resolved_at is null
       returning id, kind`,
      [jobId],
    );
    if (closed.length === 0) return;
    const queued = await db.transaction(async (tx) => {
      const [job] = await tx.query<{ name: string }>('select name from scheduled_jobs where id = $1', [
        jobId,
      ]);
      return enqueue(tx, {
        event: 'recovered',
        // One recovery per channel, keyed on the first closed incident (dedup across replicas).
        incident_id: closed.map((c) => c.id).sort()[0]!,
        resolved_incident_ids: closed.map((c) => c.id).sort(),
        job: { id: jobId, name: job?.name ?? jobId },
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
    const candidates = await db.query<{
      id: string;
      name: string;
      cron: string;
      timezone: string;
      since: Date | string;
    }>(
      `select j.id, j.name, j.cron, j.timezone, greatest(j.last_success_at, j.updated_at) as since
       from scheduled_jobs j
       where j.enabled and j.archived_at is null
         and greatest(j.last_success_at, j.updated_at) < $1::timestamptz
         and not exists (select 1 from alert_incidents i
                         where i.job_id = j.id and i.kind = 'overdue' and i.resolved_at is null)`,
      [new Date(now.getTime() - graceMs).toISOString()],
    );
    let opened = 0;
    for (const job of candidates) {
      const cron = cronOf(job.cron, job.timezone);
      if (!cron) continue;
      const since = new Date(job.since);
      const expected = nextFire(cron, since);
      if (!expected || expected.getTime() + graceMs > now.getTime()) continue;
      const id = await db.transaction((tx) =>
        openIncident(tx, {
          jobId: job.id,
          jobName: job.name,
          kind: 'overdue',
          runId: null,
          message: `no successful run since ${since.toISOString()}; one was expected at ${expected.toISOString()} (grace ${settings.overdueGraceSeconds} s)`,
        }),
      );
      if (id) opened++;
    }
    return opened;
  }

  function targetOf(channel: Row): AlertTarget {
    const opened = openSecrets(ChannelSecretsSchema, channel.secrets, secrets) as {
      url: string;
      signing_secret?: string;
    };
    return {
      kind: channel.kind as ChannelKind,
      url: opened.url,
      signingSecret: opened.signing_secret,
      settings: (channel.settings ?? {}) as Record<string, unknown>,
    };
  }

  /** Claims due deliveries (SKIP LOCKED, with a lease) and sends them; returns how many were attempted. */
  async function deliverDue(now: Date = new Date(), onlyId?: string): Promise<number> {
    const leaseSeconds = Math.ceil((settings.timeoutMs * 2) / 1000);
    const claimed = await db.query<Row>(
      `update alert_deliveries set status = 'sending', attempts = attempts + 1,
         next_attempt_at = $1::timestamptz + make_interval(secs => $2), updated_at = now()
       where id in (
         select id from alert_deliveries
         where status in ('pending', 'sending') and next_attempt_at <= $1::timestamptz
           and ($3::uuid is null or id = $3::uuid)
         order by next_attempt_at limit ${DELIVERY_BATCH} for update skip locked)
       returning *`,
      [now.toISOString(), leaseSeconds, onlyId ?? null],
    );
    for (const delivery of claimed) {
      let error: string | undefined;
      try {
        const [channel] = await db.query<Row>('select * from alert_channels where id = $1', [
          delivery.channel_id,
        ]);
        if (!channel) throw new Error('channel missing');
        if (!channel.enabled && delivery.event !== 'test') error = 'channel disabled';
        else {
          await sendAlert(targetOf(channel), delivery.payload as unknown as AlertEvent, {
            allowPrivate: settings.allowPrivate,
            production: config.isProduction,
            timeoutMs: settings.timeoutMs,
          });
        }
      } catch (caught) {
        error = describeFailure(caught);
      }
      const attempts = delivery.attempts as number;
      if (error === undefined) {
        await db.query(
          `update alert_deliveries set status = 'sent', sent_at = now(), last_error = null, updated_at = now()
           where id = $1 and status = 'sending' and attempts = $2`,
          [delivery.id, attempts],
        );
        continue;
      }
      const giveUp = attempts >= settings.maxAttempts || error === 'channel disabled';
      const backoff = Math.min(settings.retryBaseSeconds * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS);
      await db.query(
        `update alert_deliveries set status = $3, last_error = $4, updated_at = now(),
           next_attempt_at = $5::timestamptz + make_interval(secs => $6)
         where id = $1 and status = 'sending' and attempts = $2`,
        [delivery.id, attempts, giveUp ? 'failed' : 'pending', error, now.toISOString(), backoff],
      );
      log.warn(
        {
          delivery_id: delivery.id,
          channel_id: delivery.channel_id,
          event: delivery.event,
          attempts,
          error,
          gave_up: giveUp,
        },
        'alert delivery failed',
      );
    }
    return claimed.length;
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

  async function getDelivery(id: string): Promise<Delivery> {
    assertId(id, 'delivery');
    const [row] = await db.query(`select ${DELIVERY_COLUMNS} from ${DELIVERY_FROM} where d.id = $1`, [id]);
    if (!row) throw new AppError(404, 'not_found', `No delivery ${id}`);
    return toDelivery(row);
  }

  const hooks: RunOutcomeHooks = { runFailed, runSucceeded, sweep };

  return {
    /** Handed to the scheduler engine (SchedulerOptions.outcomes). */
    hooks,
    checkOverdue,
    deliverDue,
    getDelivery,

    async listChannels(
      query: { page?: number; page_size?: number; job_id?: string } = {},
    ): Promise<Page<Channel>> {
      const page = query.page ?? 1;
      const pageSize = Math.min(Math.max(query.page_size ?? 50, 1), 100);
      const params: unknown[] = [];
      let where = '';
      if (query.job_id) {
        assertId(query.job_id, 'job');
        params.push(query.job_id);
        where = 'where job_id is null or job_id = $1';
      }
      const [count] = await db.query<{ n: number }>(
        `select count(*)::int as n from alert_channels ${where}`,
        params,
      );
      const rows = await db.query(
        `select * from alert_channels ${where} order by name limit ${pageSize} offset ${(page - 1) * pageSize}`,
        params,
      );
      return { items: rows.map(toChannel), total: count?.n ?? 0, page, page_size: pageSize };
    },

    async getChannel(id: string): Promise<Channel> {
      assertId(id, 'alert channel');
      const [row] = await db.query('select * from alert_channels where id = $1', [id]);
      if (!row) throw new AppError(404, 'not_found', `No alert channel ${id}`);
      return toChannel(row);
    },

    async createChannel(input: ChannelCreate, actor: Actor): Promise<Channel> {
      const data = parseOrThrow<ReturnType<typeof ChannelCreateSchema.parse>>(
        ChannelCreateSchema,
        input,
        CHANNEL_INVALID,
      );
      checkKind(data.kind, {
        url: data.url,
        hasSigningSecret: !!data.signing_secret,
        to: data.email_to,
        from: data.email_from,
      });
      const channelSettings = data.kind === 'email' ? { to: data.email_to, from: data.email_from } : {};
      const sealed = sealSecrets(
        ChannelSecretsSchema,
        { url: data.url, ...(data.signing_secret ? { signing_secret: data.signing_secret } : {}) },
        secrets,
      );
      return db
        .transaction(async (tx) => {
          await assertJob(tx, data.job_id);
          const [row] = await tx.query(
            `insert into alert_channels (name, kind, job_id, events, enabled, secrets, url_host, created_by, updated_by,
               settings)
             values ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8, $8, $9::jsonb) returning *`,
            [
              data.name,
              data.kind,
              data.job_id,
              JSON.stringify(data.events),
              data.enabled,
              JSON.stringify(sealed),
              new URL(data.url).host,
              actor.subject,
              JSON.stringify(channelSettings),
            ],
          );
          const channel = toChannel(row!);
          await recordAuditSql(tx, {
            actor: actor.subject,
            action: 'alert_channel.create',
            targetType: 'alert_channel',
            targetId: channel.id,
            after: channel,
            traceId: actor.traceId,
            clientIp: actor.clientIp,
          });
          return channel;
        })
        .catch((error) => nameTaken(error, data.name));
    },

    /** Fields left out keep their value; the URL and signing secret are kept unless resent. */
    async updateChannel(id: string, input: ChannelUpdate, actor: Actor): Promise<Channel> {
      const data = parseOrThrow<ReturnType<typeof ChannelUpdateSchema.parse>>(
        ChannelUpdateSchema,
        input,
        CHANNEL_INVALID,
      );
      return db
        .transaction(async (tx) => {
          const row = await lockChannel(tx, id);
          if (row.version !== data.version) {
            throw new AppError(
              409,
              'version_conflict',
              `The channel was changed by someone else (you edited version ${data.version}; it is now ${row.version})`,
              { current: toChannel(row) },
            );
          }
          const merged = mergeSecretInput(
            ChannelSecretsSchema,
            {
              ...(data.url ? { url: data.url } : {}),
              ...(data.signing_secret ? { signing_secret: data.signing_secret } : {}),
            },
            row.secrets,
          );
          const sealed = sealSecrets(ChannelSecretsSchema, merged, secrets) as Record<string, unknown>;
          const stored = (row.settings ?? {}) as Partial<EmailSettings>;
          const channelSettings =
            row.kind === 'email'
              ? { to: data.email_to ?? stored.to, from: data.email_from ?? stored.from }
              : {};
          checkKind(row.kind as string, {
            url: data.url,
            hasSigningSecret: isSealedSecret(sealed.signing_secret),
            ...channelSettings,
          });
          if (data.job_id !== undefined) await assertJob(tx, data.job_id);
          const [updated] = await tx.query(
            `update alert_channels set name = $2, job_id = $3, events = $4::jsonb, enabled = $5, secrets = $6::jsonb,
               url_host = $7, updated_by = $8, settings = $9::jsonb, updated_at = now(), version = version + 1
             where id = $1 returning *`,
            [
              id,
              data.name ?? row.name,
              data.job_id === undefined ? row.job_id : data.job_id,
              JSON.stringify(data.events ?? row.events),
              data.enabled ?? row.enabled,
              JSON.stringify(sealed),
              data.url ? new URL(data.url).host : row.url_host,
              actor.subject,
              JSON.stringify(channelSettings),
            ],
          );
          const channel = toChannel(updated!);
          await recordAuditSql(tx, {
            actor: actor.subject,
            action: 'alert_channel.update',
            targetType: 'alert_channel',
            targetId: id,
            before: toChannel(row),
            after: channel,
            traceId: actor.traceId,
            clientIp: actor.clientIp,
          });
          return channel;
        })
        .catch((error) => nameTaken(error, data.name ?? ''));
    },

    /** Queues a `test` message to one channel and attempts it at once; answers the delivery as it stands. */
    async sendTestAlert(id: string, actor: Actor): Promise<Delivery> {
      const [deliveryId] = await db.transaction(async (tx) => {
        const row = await lockChannel(tx, id);
        await recordAuditSql(tx, {
          actor: actor.subject,
          action: 'alert_channel.test',
          targetType: 'alert_channel',
          targetId: id,
          // What was sent, so the row says more than that something happened (no URL: it carries credentials).
          after: { event: 'test', channel: row.name, kind: row.kind },
          traceId: actor.traceId,
          clientIp: actor.clientIp,
        });
        return enqueue(
          tx,
          {
            event: 'test',
            incident_id: null,
            job: null,
            run_id: null,
            message: `test alert for channel "${row.name}", requested by ${actor.subject}`,
            occurred_at: new Date().toISOString(),
          },
          { channelId: id },
        );
      });
      await deliverDue(new Date(), deliveryId);
      return getDelivery(deliveryId!);
    },

    async listDeliveries(query: DeliveryListQuery = {}): Promise<Page<Delivery>> {
      const q = { page: 1, page_size: 20, ...query };
      const where = createWhere();
      const { add, params } = where;
      if (q.channel_id) add('d.channel_id = ?', q.channel_id);
      if (q.job_id) add('d.job_id = ?', q.job_id);
      if (q.status) add('d.status = ?', q.status);
      if (q.event) add('d.event = ?', q.event);
      const whereSql = where.sql();
      const [count] = await db.query<{ n: number }>(
        `select count(*)::int as n from alert_deliveries d ${whereSql}`,
        params,
      );
      const size = Math.min(Math.max(Math.trunc(q.page_size), 1), 100);
      const rows = await db.query(
        `select ${DELIVERY_COLUMNS} from ${DELIVERY_FROM} ${whereSql} order by d.created_at desc, d.id
         limit ${size} offset ${(Math.max(Math.trunc(q.page), 1) - 1) * size}`,
        params,
      );
      return { items: rows.map(toDelivery), total: count?.n ?? 0, page: q.page, page_size: q.page_size };
    },

    async listIncidents(query: IncidentListQuery = {}): Promise<Page<Incident>> {
      const q = { page: 1, page_size: 20, ...query };
      const where = createWhere();
      const { params } = where;
      if (q.job_id) where.add('i.job_id = ?', q.job_id);
      if (q.open === true) where.raw('i.resolved_at is null');
      if (q.open === false) where.raw('i.resolved_at is not null');
      const whereSql = where.sql();
      const [count] = await db.query<{ n: number }>(
        `select count(*)::int as n from alert_incidents i ${whereSql}`,
        params,
      );
      const size = Math.min(Math.max(Math.trunc(q.page_size), 1), 100);
      const rows = await db.query(
        `select i.*, j.name as job_name from alert_incidents i join scheduled_jobs j on j.id = i.job_id ${whereSql}
         order by i.opened_at desc, i.id limit ${size} offset ${(Math.max(Math.trunc(q.page), 1) - 1) * size}`,
        params,
      );
      return { items: rows.map(toIncident), total: count?.n ?? 0, page: q.page, page_size: q.page_size };
    },
  };
}
