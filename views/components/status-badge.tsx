// A status word with a colour class; the word itself carries the meaning (colour is only a hint).
const TONES: Record<string, string> = {
  succeeded: 'ok',
  running: 'busy',
  queued: 'busy',
  idle: 'muted',
  skipped: 'muted',
  missed: 'warn',
  failed: 'bad',
  timed_out: 'bad',
  dead: 'bad',
  cancelled: 'warn',
  unregistered: 'bad',
  archived: 'muted',
  disabled: 'muted',
};

export function StatusBadge(props: { status: string }) {
  return <span class={`badge ${TONES[props.status] ?? 'muted'}`}>{props.status.replace('_', ' ')}</span>;
}
