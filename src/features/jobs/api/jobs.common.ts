// What the scheduler's API handlers share: the jobs service from c.var.deps, the actor for audit rows,
// and If-Match parsing.
import type { Context } from 'hono';
import type { AppDependencies } from '../../../deps.ts';
import { clientIp } from '../../../http/client-ip.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppBindings } from '../../../http/types.ts';
import { createJobRegistry } from '../../../job-functions/registry.ts';
import { createSecretBox } from '../../../secrets/secret-box.ts';
import { type Actor, createJobsService, type JobsService } from '../jobs.service.ts';

const fallbackServices = new WeakMap<AppDependencies, JobsService>();

/** The service the entry built; apps assembled without one (some tests) get one over db.app. */
export function jobsService(c: Context<AppBindings>): JobsService {
  const deps = c.var.deps;
  if (deps.jobs) return deps.jobs;
  let service = fallbackServices.get(deps);
  if (!service) {
    service = createJobsService({
      db: deps.db.app,
      registry: createJobRegistry(),
      poke: deps.scheduler?.poke,
      secrets: createSecretBox(deps.config.encryption),
    });
    fallbackServices.set(deps, service);
  }
  return service;
}

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
