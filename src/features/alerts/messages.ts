// What an alert says, and the body each channel kind expects: generic webhooks get the JSON event itself,
// Slack incoming webhooks `{text}`, Discord webhooks `{content}`. No secret is ever part of an event.
export interface AlertEvent {
  event: 'dead' | 'timed_out' | 'overdue' | 'recovered' | 'test';
  delivery_id: string;
  incident_id: string | null;
  job: { id: string; name: string } | null;
  run_id: string | null;
  message: string;
  occurred_at: string;
}

const HEADLINES: Record<AlertEvent['event'], string> = {
  dead: 'failed for good (no retries left)',
  timed_out: 'timed out',
  overdue: 'is overdue (no successful run when one was expected)',
  recovered: 'recovered (a run succeeded)',
  test: 'test alert',
};

export function alertText(event: AlertEvent): string {
  const subject = event.job
    ? `Job "${event.job.name}" ${HEADLINES[event.event]}`
    : `app-server ${HEADLINES[event.event]}`;
  return `${event.event === 'recovered' ? '✅' : event.event === 'test' ? 'ℹ️' : '🚨'} ${subject}: ${event.message}`;
}

export function channelBody(kind: 'webhook' | 'slack' | 'discord', event: AlertEvent): string {
  if (kind === 'slack') return JSON.stringify({ text: alertText(event) });
  // Discord caps content at 2000 characters.
  if (kind === 'discord') return JSON.stringify({ content: alertText(event).slice(0, 2000) });
  return JSON.stringify(event);
}
