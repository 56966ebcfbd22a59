// Rows (typed from db/schema) to the API's shapes (alerts.schemas.ts): snake_case names, ISO times, and a
// channel's secrets shown only as {"set": true|false}.
import { iso } from '../../db/timestamps.ts';
import { isSealedSecret } from '../../secrets/secret-box.ts';
import type { Channel, Delivery, Incident } from './alerts.schemas.ts';
import type { ChannelRow, DeliveryRow, IncidentRow } from './alerts.sql.ts';
import type { EmailSettings } from './email.ts';

export function toChannel(row: ChannelRow): Channel {
  const secrets = row.secrets ?? {};
  const email = row.kind === 'email' ? (row.settings as Partial<EmailSettings>) : undefined;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    job_id: row.jobId ?? null,
    // The column holds what the schema let in: subscribable events only.
    events: row.events as Channel['events'],
    enabled: row.enabled,
    url: { set: isSealedSecret(secrets.url) },
    url_host: row.urlHost,
    signing_secret: { set: isSealedSecret(secrets.signing_secret) },
    email_to: email ? (email.to ?? []) : null,
    email_from: email ? (email.from ?? null) : null,
    version: row.version,
    created_by: row.createdBy ?? null,
    updated_by: row.updatedBy ?? null,
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
  };
}

export function toDelivery(row: DeliveryRow): Delivery {
  const done = row.status === 'sent' || row.status === 'failed';
  return {
    id: row.id,
    channel_id: row.channelId,
    channel_name: row.channelName,
    incident_id: row.incidentId ?? null,
    job_id: row.jobId ?? null,
    job_name: row.jobName ?? null,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    last_error: row.lastError ?? null,
    next_attempt_at: done ? null : iso(row.nextAttemptAt),
    sent_at: iso(row.sentAt),
    payload: row.payload,
    created_at: iso(row.createdAt)!,
    updated_at: iso(row.updatedAt)!,
  };
}

export function toIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    job_id: row.jobId,
    job_name: row.jobName,
    kind: row.kind,
    run_id: row.runId ?? null,
    message: row.message,
    opened_at: iso(row.openedAt)!,
    resolved_at: iso(row.resolvedAt),
  };
}
