// One JSON line per event on the worker's console (`wrangler tail` and Workers Logs read it).
export function edgeLog(level: 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({
    level,
    time: new Date().toISOString(),
    service: 'app-server-edge',
    msg,
    ...fields,
  });
  if (level === 'warn') console.warn(line);
  else console.error(line);
}
