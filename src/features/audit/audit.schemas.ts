// The audit log's read contract: filters (actor, action, target, time) and the page of entries.
import { z } from '@hono/zod-openapi';
import { pageOf } from '../jobs/jobs.schemas.ts';

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string().openapi({ format: 'date-time' }),
    actor: z.string().openapi({ description: 'User name, or system:<what> for the scheduler itself' }),
    action: z.string().openapi({ example: 'job.update' }),
    target_type: z.string().openapi({ example: 'scheduled_job' }),
    target_id: z.string().nullable(),
    before: z.unknown().nullable().openapi({ description: 'Values before the change (secrets masked)' }),
    after: z.unknown().nullable().openapi({ description: 'Values after the change (secrets masked)' }),
    trace_id: z.string().nullable().openapi({ description: 'The X-Request-Id of the request that made it' }),
  })
  .openapi('AuditEntry');

export const AuditListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(25),
  actor: z.string().max(120).optional().openapi({ description: 'Exactly this actor (case-insensitive)' }),
  action: z.string().max(64).optional().openapi({
    description: 'This action (job.update), or every action of a kind with a trailing dot (job.)',
  }),
  target_type: z.string().max(64).optional().openapi({ example: 'scheduled_job' }),
  target_id: z.string().max(128).optional().openapi({ description: 'The id of the changed thing' }),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'At or after' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Before' }),
});

export const AuditPageSchema = pageOf(AuditEntrySchema, 'AuditPage');

export type AuditFilters = Omit<z.output<typeof AuditListQuerySchema>, 'page' | 'page_size'>;
