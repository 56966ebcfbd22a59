// What the scheduler's API handlers share (the jobs service itself is c.var.deps.jobs): the actor for audit rows,
// the error responses every operation documents, and If-Match parsing.
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { clientIp } from '../../../http/client-ip.ts';
import { AppError, ErrorEnvelopeSchema } from '../../../http/errors.ts';
import type { AppBindings } from '../../../http/types.ts';
import type { Actor } from '../jobs.service.ts';

/** The caller as written to audit_log: principal subject, trace id and the client address (http/client-ip). */
export function actorOf(c: Context<AppBindings>): Actor {
  return {
    subject: c.var.principal?.subject ?? 'anonymous',
    traceId: c.var.requestId,
    clientIp: clientIp(c),
  };
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'The role is too small for this action',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict (version, name, state)',
  412: 'If-Match did not match the current version',
  422: 'Validation failed (detail lists each issue)',
  428: 'A version (If-Match or body) is required',
};

export function errorResponses<const S extends readonly number[]>(...statuses: S) {
  const out: Record<
    number,
    { description: string; content: { 'application/json': { schema: typeof ErrorEnvelopeSchema } } }
  > = {};
  for (const status of statuses) {
    out[status] = {
      description: DESCRIPTIONS[status] ?? 'Error',
      content: { 'application/json': { schema: ErrorEnvelopeSchema } },
    };
  }
  return out as {
    [K in S[number]]: {
      description: string;
      content: { 'application/json': { schema: typeof ErrorEnvelopeSchema } };
    };
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

export const IdParamSchema = z.object({
  id: z
    .string()
    .openapi({ param: { name: 'id', in: 'path' }, example: '7b0e4c1e-5f7a-4b8e-9d9a-6f1c2b3a4d5e' }),
});
