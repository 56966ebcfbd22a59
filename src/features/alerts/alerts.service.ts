// The alerts service: channels (API and admin UI), and the engine's run-outcome hooks that open incidents, detect
// overdue jobs, and deliver messages with retries. Parts: channels.ts, incidents.ts (dedup per job and kind,
// overdue, the hooks), security-incidents.ts (dedup per key and window), deliveries.ts (enqueue, claim with
// SKIP LOCKED and a lease, backoff); statements in alerts.sql.ts, API shapes in alerts.mapping.ts.
import { type AlertsServiceDeps, alertsContext } from './alerts.context.ts';
import { createChannels } from './channels.ts';
import { createDeliveries } from './deliveries.ts';
import { createIncidents } from './incidents.ts';
import { createSecurityIncidents } from './security-incidents.ts';

export type { AlertsServiceDeps } from './alerts.context.ts';
export { toChannel } from './alerts.mapping.ts';
export { OVERDUE_CHECK_MS } from './incidents.ts';
export type { SecurityIncidentReport } from './security-incidents.ts';

export type AlertsService = ReturnType<typeof createAlertsService>;

export function createAlertsService(deps: AlertsServiceDeps) {
  const ctx = alertsContext(deps);
  const deliveries = createDeliveries(ctx);
  const incidents = createIncidents(ctx, deliveries);
  return {
    /** Handed to the scheduler engine (SchedulerOptions.outcomes). */
    hooks: incidents.hooks,
    checkOverdue: incidents.checkOverdue,
    listIncidents: incidents.listIncidents,
    deliverDue: deliveries.deliverDue,
    getDelivery: deliveries.getDelivery,
    listDeliveries: deliveries.listDeliveries,
    /** Security events (src/features/security): one incident per key and window, alerts to `security` channels. */
    ...createSecurityIncidents(ctx, deliveries),
    ...createChannels(ctx, deliveries),
  };
}
