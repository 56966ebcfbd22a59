// Security incidents through the alert channels: one incident per key and window however many events and
// replicas report it. The upsert on security_incidents is the dedup and the claim: only the report that opens
// (or reopens, after a quiet window) an incident enqueues deliveries, to the global channels subscribed to
// `security`; later reports within the window only count.
import { randomUUID } from 'node:crypto';
import type { SecurityIncidentKind } from '../../db/schema/index.ts';
import type { AlertsContext } from './alerts.context.ts';
import type { Deliveries } from './deliveries.ts';

export interface SecurityIncidentReport {
  kind: SecurityIncidentKind;
  /** Dedup key: one incident per key while reports keep arriving within `windowSeconds` of each other. */
  key: string;
  /** What happened, for people (no secrets). */
  message: string;
  /** Events this report stands for (a burst reported once counts its size). */
  count: number;
  windowSeconds: number;
}

export interface SecurityIncidentOutcome {
  incidentId: string;
  /** True when this report opened the incident (and queued its alerts). */
  opened: boolean;
  deliveries: number;
}

export function createSecurityIncidents(ctx: AlertsContext, deliveries: Deliveries) {
  const { db, settings, log } = ctx;

  async function raiseSecurityIncident(report: SecurityIncidentReport): Promise<SecurityIncidentOutcome> {
    const message = report.message.slice(0, 1000);
    const outcome = await db.transaction(async (tx) => {
      // A row last seen before the window is a closed incident: it reopens under a new id.
      const [row] = await tx.query<{ id: string; opened: boolean; opened_at: Date }>(
        `insert into security_incidents as s (key, id, kind, message, count, opened_at, last_seen_at)
         values ($1, $2, $3, $4, $5, now(), now())
         on conflict (key) do update set
           id = case when s.last_seen_at < now() - make_interval(secs => $6) then excluded.id else s.id end,
           kind = excluded.kind,
           message = case when s.last_seen_at < now() - make_interval(secs => $6) then excluded.message else s.message end,
           count = case when s.last_seen_at < now() - make_interval(secs => $6) then excluded.count else s.count + excluded.count end,
           opened_at = case when s.last_seen_at < now() - make_interval(secs => $6) then now() else s.opened_at end,
           last_seen_at = now()
         returning id, id = $2 as opened, opened_at`,
        [report.key, randomUUID(), report.kind, message, report.count, report.windowSeconds],
      );
      if (!row?.opened || !settings.enabled)
        return { incidentId: row!.id, opened: Boolean(row?.opened), deliveries: 0 };
      const queued = await deliveries.enqueue(tx, {
        event: 'security',
        incident_id: row.id,
        job: null,
        run_id: null,
        message: `${report.kind}: ${message}`,
        occurred_at: new Date(row.opened_at).toISOString(),
      });
      return { incidentId: row.id, opened: true, deliveries: queued.length };
    });
    if (outcome.opened) {
      log.warn(
        { kind: report.kind, key: report.key, incident_id: outcome.incidentId },
        'security incident opened',
      );
    }
    if (outcome.deliveries > 0) {
      void deliveries
        .deliverDue(new Date())
        .catch((error) => log.warn({ err: error }, 'alert delivery failed'));
    }
    return outcome;
  }

  return { raiseSecurityIncident };
}
