// What an alert says, and the body each channel kind expects: generic webhooks get the JSON event itself,
// Slack incoming webhooks `{text}`, Discord webhooks `{content}`, PagerDuty Events API v2 one trigger per incident
// and one resolve per incident a recovery closed. No secret is ever part of an event.
export interface AlertEvent {
  event: 'dead' | 'timed_out' | 'overdue' | 'recovered' | 'security' | 'test';
  delivery_id: string;
  incident_id: string | null;
  job: { id: string; name: string } | null;
  run_id: string | null;
  message: string;
  occurred_at: string;
  /** `recovered` only: every incident the successful run closed (PagerDuty resolves each one). */
  resolved_incident_ids?: string[];
}

const HEADLINES: Record<AlertEvent['event'], string> = {
  dead: 'failed for good (no retries left)',
  timed_out: 'timed out',
  overdue: 'is overdue (no successful run when one was expected)',
  recovered: 'recovered (a run succeeded)',
  security: 'security event',
  test: 'test alert',
};

export function alertText(event: AlertEvent): string {
  const subject = event.job
    ? `Job "${event.job.name}" ${HEADLINES[event.event]}`
    : `app-server ${HEADLINES[event.event]}`;
  const icon =
    event.event === 'recovered'
      ? '✅'
      : event.event === 'test'
        ? 'ℹ️'
        : event.event === 'security'
          ? '🛡️'
          : '🚨';
  return `${icon} ${subject}: ${event.message}`;
}

export function channelBody(kind: 'webhook' | 'slack' | 'discord', event: AlertEvent): string {
  if (kind === 'slack') return JSON.stringify({ text: alertText(event) });
  // Discord caps content at 2000 characters.
  if (kind === 'discord') return JSON.stringify({ content: alertText(event).slice(0, 2000) });
  return JSON.stringify(event);
}

const PAGERDUTY_SEVERITY: Record<AlertEvent['event'], 'critical' | 'error' | 'warning' | 'info'> = {
  dead: 'critical',
  timed_out: 'error',
  overdue: 'error',
  recovered: 'info',
  security: 'warning',
  test: 'info',
};

/** PagerDuty's dedup key for an incident: a trigger and the resolve for it name the same alert. */
export const pagerDutyDedupKey = (incidentId: string) => `app-server/incident/${incidentId}`;

/**
 * PagerDuty Events API v2 bodies for one event: a trigger deduplicated on the incident (a repeat delivery of
 * the same incident adds nothing on PagerDuty's side), or for a recovery one resolve per closed incident.
 */
export function pagerDutyBodies(event: AlertEvent, routingKey: string): string[] {
  if (event.event === 'recovered') {
    const closed = event.resolved_incident_ids ?? (event.incident_id ? [event.incident_id] : []);
    return closed.map((id) =>
      JSON.stringify({ routing_key: routingKey, event_action: 'resolve', dedup_key: pagerDutyDedupKey(id) }),
    );
  }
  return [
    JSON.stringify({
      routing_key: routingKey,
      event_action: 'trigger',
      // A test has no incident: its delivery id keeps it apart from real alerts.
      dedup_key: event.incident_id
        ? pagerDutyDedupKey(event.incident_id)
        : `app-server/delivery/${event.delivery_id}`,
      payload: {
        // PagerDuty caps the summary at 1024 characters.
        summary: alertText(event).slice(0, 1024),
        source: 'app-server',
        severity: PAGERDUTY_SEVERITY[event.event],
        timestamp: event.occurred_at,
        component: event.job?.name ?? 'app-server',
        class: event.event,
        custom_details: { job_id: event.job?.id ?? null, run_id: event.run_id, message: event.message },
      },
    }),
  ];
}
