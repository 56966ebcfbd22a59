// What the scheduler's API handlers share (the jobs service itself is c.var.deps.jobs): the actor for audit rows,
// and If-Match parsing.
import type { Context } from 'hono';
import type { Actor } from '../../../audit/record-audit.ts';
import { clientIp } from '../../../http/client-ip.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppBindings } from '../../../http/types.ts';

/** The caller as written to audit_log: principal subject, trace id and the client address (http/client-ip). */
export function actorOf(c: Context<AppBindings>): Actor {
  return {
    subject: c.var.principal?.subject ?? 'anonymous',
    traceId: c.var.requestId,
    clientIp: clientIp(c),
  };
}

/** `"3"`, `W/"3"` or `3` → 3; absent → undefined; anything else → 412. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new AppError(412, 'precondition_failed', 'If-Match must be the job version, e.g. "3"');
  return Number(match[1]);
}

export const etagOf = (version: number) => `"${version}"`;
