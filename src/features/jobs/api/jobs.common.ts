// What the jobs API handlers share (the jobs service itself is c.var.deps.jobs, the actor comes from
// audit/record-audit.ts actorOf): If-Match parsing and the ETag.
import { AppError } from '../../../http/errors.ts';

/** `"3"`, `W/"3"` or `3` → 3; absent → undefined; anything else → 412. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match) throw new AppError(412, 'precondition_failed', 'If-Match must be the job version, e.g. "3"');
  return Number(match[1]);
}

export const etagOf = (version: number) => `"${version}"`;
