// The client's address for rate limits and audit rows. Behind nginx the last X-Forwarded-For entry is the
// one nginx appended (the peer it saw), which a client cannot forge; earlier entries can be forged and are
// ignored. Without the header, the socket's peer address (Node) is used.
import type { Context } from 'hono';

export function clientIp(c: Context): string {
  const forwarded = c.req.header('x-forwarded-for');
  if (forwarded) {
    const last = forwarded.split(',').at(-1)?.trim();
    if (last) return last.slice(0, 64);
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}
