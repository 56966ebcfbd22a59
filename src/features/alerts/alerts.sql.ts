// Every statement of the alerts service, one named function each, returning rows typed from db/schema. They
// stay SQL where the claim needs it: incidents open with ON CONFLICT (the dedup across replicas), deliveries
// are claimed with SKIP LOCKED and a lease.
import type { SqlExecutor } from '../../db/index.ts';
import { countedPage } from '../../db/pagination.ts';
import {
  type AlertChannelRow,
  type AlertDeliveryRow,
  type AlertIncidentKind,
  type AlertIncidentRow,
  alertChannels,
  alertDeliveries,
  alertIncidents,
} from '../../db/schema/index.ts';
import { columnsOf, timestampReader } from '../../db/typed-sql.ts';
import type { WhereBuilder } from '../../db/where.ts';

export type ChannelRow = AlertChannelRow;
/** A delivery as listed: its columns, its channel's name and its job's name (null for tests). */
export type DeliveryRow = AlertDeliveryRow & { channelName: string; jobName: string | null };
export type IncidentRow = AlertIncidentRow & { jobName: string };

/** A channel's settings as a create or an update writes them. */
export type ChannelValues = Pick<
  ChannelRow,
  'name' | 'jobId' | 'events' | 'enabled' | 'secrets' | 'urlHost' | 'settings'
>;

const CHANNEL = columnsOf(alertChannels);
const DELIVERY = columnsOf(alertDeliveries);
const readChannel = timestampReader(alertChannels);
const readDelivery = timestampReader(alertDeliveries);
const readIncident = timestampReader(alertIncidents);

const DELIVERY_WITH_NAMES = `select ${columnsOf(alertDeliveries, 'd')}, c.name as "channelName", j.name as "jobName"
  from alert_deliveries d join alert_channels c on c.id = d.channel_id
  left join scheduled_jobs j on j.id = d.job_id`;

// ---- channels -------------------------------------------------------------------------------------

export async function selectChannel(
  db: SqlExecutor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ChannelRow | undefined> {
  const [row] = await db.query<ChannelRow>(
    `select ${CHANNEL} from alert_channels where id = $1${options.lock ? ' for update' : ''}`,
    [id],
  );
  return row && readChannel(row);
}

/** Channels of one job (and the global ones) or all, by name. */
export async function selectChannelPage(
  db: SqlExecutor,
  jobId: string | undefined,
  page: number,
  pageSize: number,
): Promise<{ rows: ChannelRow[]; total: number }> {
  const where = jobId ? 'where job_id is null or job_id = $1' : '';
  const { rows, total } = await countedPage<ChannelRow>(
    db,
    {
      count: `select count(*)::int as n from alert_channels ${where}`,
      rows: (limit, offset) =>
        `select ${CHANNEL} from alert_channels ${where} order by name limit ${limit} offset ${offset}`,
    },
    jobId ? [jobId] : [],
    page,
    pageSize,
  );
  return { rows: rows.map(readChannel), total };
}

export async function insertChannel(
  tx: SqlExecutor,
  channel: ChannelValues & Pick<ChannelRow, 'kind'>,
  actor: string,
): Promise<ChannelRow> {
  const [row] = await tx.query<ChannelRow>(
    `insert into alert_channels (name, job_id, events, enabled, secrets, url_host, created_by, settings, kind,
       updated_by)
     values ($1, $2, $3::jsonb, $4, $5::jsonb, $6, $7, $8::jsonb, $9, $7) returning ${CHANNEL}`,
    [...channelParams(channel, actor), channel.kind],
  );
  return readChannel(row!);
}

/** $1..$8 of both writes: name, job, events, enabled, sealed secrets, URL host, who, settings. */
function channelParams(channel: ChannelValues, actor: string): unknown[] {
  return [
    channel.name,
    channel.jobId,
    JSON.stringify(channel.events),
    channel.enabled,
    JSON.stringify(channel.secrets),
    channel.urlHost,
    actor,
    JSON.stringify(channel.settings),
  ];
}

export async function updateChannel(
  tx: SqlExecutor,
  id: string,
  channel: ChannelValues,
  actor: string,
): Promise<ChannelRow> {
  const [row] = await tx.query<ChannelRow>(
    `update alert_channels set name = $1, job_id = $2, events = $3::jsonb, enabled = $4, secrets = $5::jsonb,
       url_host = $6, updated_by = $7, settings = $8::jsonb, updated_at = now(), version = version + 1
     where id = $9 returning ${CHANNEL}`,
    [...channelParams(channel, actor), id],
  );
  return readChannel(row!);
}

/** Ids of the enabled channels that want an event, global or for this job. */
export async function selectSubscribedChannelIds(
  tx: SqlExecutor,
  jobId: string | null,
  event: string,
): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `select id from alert_channels
     where enabled and (job_id is null or job_id = $1) and events @> jsonb_build_array($2::text)`,
    [jobId, event],
  );
  return rows.map((row) => row.id);
}

export async function channelExists(tx: SqlExecutor, id: string): Promise<boolean> {
  const rows = await tx.query('select 1 from alert_channels where id = $1', [id]);
  return rows.length > 0;
}

// ---- incidents ------------------------------------------------------------------------------------

/** Opens an incident unless one of this kind is open for the job (the dedup): undefined when one was. */
export async function insertIncident(
  tx: SqlExecutor,
  incident: { jobId: string; kind: AlertIncidentKind; runId: string | null; message: string },
): Promise<Pick<AlertIncidentRow, 'id' | 'openedAt'> | undefined> {
  const [row] = await tx.query<Pick<AlertIncidentRow, 'id' | 'openedAt'>>(
    `insert into alert_incidents (job_id, kind, run_id, message) values ($1, $2, $3, $4)
     on conflict (job_id, kind) where resolved_at is null do nothing
     returning id, opened_at as "openedAt"`,
    [incident.jobId, incident.kind, incident.runId, incident.message],
  );
  return row && readIncident(row);
}

/** Closes the job's open incidents; the common case (nothing open) is one indexed UPDATE matching no row. */
export async function resolveIncidents(
  db: SqlExecutor,
  jobId: string,
): Promise<Pick<AlertIncidentRow, 'id' | 'kind'>[]> {
  return db.query<Pick<AlertIncidentRow, 'id' | 'kind'>>(
    `update alert_incidents set resolved_at = now() where job_id = $1 and resolved_at is null
     returning id, kind`,
    [jobId],
  );
}

/** Enabled live jobs with no success since before `before` and no open overdue incident. */
export async function selectOverdueCandidates(
  db: SqlExecutor,
  before: Date,
): Promise<{ id: string; name: string; cron: string; timezone: string; since: Date }[]> {
  const rows = await db.query<{ id: string; name: string; cron: string; timezone: string; since: Date }>(
    `select j.id, j.name, j.cron, j.timezone, greatest(j.last_success_at, j.updated_at) as since
     from scheduled_jobs j
     where j.enabled and j.archived_at is null
       and greatest(j.last_success_at, j.updated_at) < $1::timestamptz
       and not exists (select 1 from alert_incidents i
                       where i.job_id = j.id and i.kind = 'overdue' and i.resolved_at is null)`,
    [before.toISOString()],
  );
  return rows.map((row) => ({ ...row, since: new Date(row.since) }));
}

export async function selectIncidentPage(
  db: SqlExecutor,
  where: WhereBuilder,
  page: number,
  pageSize: number,
): Promise<{ rows: IncidentRow[]; total: number }> {
  const whereSql = where.sql();
  const { rows, total } = await countedPage<IncidentRow>(
    db,
    {
      count: `select count(*)::int as n from alert_incidents i ${whereSql}`,
      rows: (limit, offset) => `select ${columnsOf(alertIncidents, 'i')}, j.name as "jobName"
        from alert_incidents i join scheduled_jobs j on j.id = i.job_id ${whereSql}
        order by i.opened_at desc, i.id limit ${limit} offset ${offset}`,
    },
    where.params,
    page,
    pageSize,
  );
  return { rows: rows.map(readIncident), total };
}

// ---- deliveries -----------------------------------------------------------------------------------

/** A pending delivery; false when the (incident, channel, event) already has one. */
export async function insertDelivery(
  tx: SqlExecutor,
  delivery: Pick<AlertDeliveryRow, 'id' | 'channelId' | 'incidentId' | 'jobId' | 'event' | 'payload'>,
): Promise<boolean> {
  const inserted = await tx.query(
    `insert into alert_deliveries (id, channel_id, incident_id, job_id, event, payload)
     values ($1, $2, $3, $4, $5, $6::jsonb) on conflict do nothing returning id`,
    [
      delivery.id,
      delivery.channelId,
      delivery.incidentId,
      delivery.jobId,
      delivery.event,
      JSON.stringify(delivery.payload),
    ],
  );
  return inserted.length > 0;
}

/**
 * Claims up to `limit` due deliveries (or just `onlyId`): SKIP LOCKED, one more attempt counted, and a lease
 * (next_attempt_at moved leaseSeconds on) so a replica that dies mid-send leaves them to be retried.
 */
export async function claimDueDeliveries(
  db: SqlExecutor,
  now: Date,
  leaseSeconds: number,
  limit: number,
  onlyId?: string,
): Promise<AlertDeliveryRow[]> {
  const rows = await db.query<AlertDeliveryRow>(
    `update alert_deliveries set status = 'sending', attempts = attempts + 1,
       next_attempt_at = $1::timestamptz + make_interval(secs => $2), updated_at = now()
     where id in (
       select id from alert_deliveries
       where status in ('pending', 'sending') and next_attempt_at <= $1::timestamptz
         and ($3::uuid is null or id = $3::uuid)
       order by next_attempt_at limit ${limit} for update skip locked)
     returning ${DELIVERY}`,
    [now.toISOString(), leaseSeconds, onlyId ?? null],
  );
  return rows.map(readDelivery);
}

/** Records a claimed attempt's success, unless another claim took the delivery over meanwhile. */
export async function markDeliverySent(db: SqlExecutor, id: string, attempts: number): Promise<void> {
  await db.query(
    `update alert_deliveries set status = 'sent', sent_at = now(), last_error = null, updated_at = now()
     where id = $1 and status = 'sending' and attempts = $2`,
    [id, attempts],
  );
}

/** Records a claimed attempt's failure: pending again after the backoff, or failed for good. */
export async function markDeliveryFailed(
  db: SqlExecutor,
  failure: {
    id: string;
    attempts: number;
    giveUp: boolean;
    error: string;
    now: Date;
    backoffSeconds: number;
  },
): Promise<void> {
  await db.query(
    `update alert_deliveries set status = $3, last_error = $4, updated_at = now(),
       next_attempt_at = $5::timestamptz + make_interval(secs => $6)
     where id = $1 and status = 'sending' and attempts = $2`,
    [
      failure.id,
      failure.attempts,
      failure.giveUp ? 'failed' : 'pending',
      failure.error,
      failure.now.toISOString(),
      failure.backoffSeconds,
    ],
  );
}

export async function selectDelivery(db: SqlExecutor, id: string): Promise<DeliveryRow | undefined> {
  const [row] = await db.query<DeliveryRow>(`${DELIVERY_WITH_NAMES} where d.id = $1`, [id]);
  return row && readDelivery(row);
}

export async function selectDeliveryPage(
  db: SqlExecutor,
  where: WhereBuilder,
  page: number,
  pageSize: number,
): Promise<{ rows: DeliveryRow[]; total: number }> {
  const whereSql = where.sql();
  const { rows, total } = await countedPage<DeliveryRow>(
    db,
    {
      count: `select count(*)::int as n from alert_deliveries d ${whereSql}`,
      rows: (limit, offset) =>
        `${DELIVERY_WITH_NAMES} ${whereSql} order by d.created_at desc, d.id limit ${limit} offset ${offset}`,
    },
    where.params,
    page,
    pageSize,
  );
  return { rows: rows.map(readDelivery), total };
}

export async function selectJobName(db: SqlExecutor, jobId: string): Promise<string | undefined> {
  const [job] = await db.query<{ name: string }>('select name from scheduled_jobs where id = $1', [jobId]);
  return job?.name;
}
