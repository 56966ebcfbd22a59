import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../../http/principal.ts';
import {
  JobCreateSchema,
  JobListQuerySchema,
  JobPageSchema,
  JobSchema,
  JobUpdateSchema,
  RunSchema,
} from '../jobs.schemas.ts';
import { errorResponses, IdParamSchema } from './jobs.common.ts';

const tags = ['jobs'];
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const listJobs = createRoute({
  method: 'get',
  path: '/jobs',
  tags,
  summary: 'List jobs (paginated; filter by enabled, status, function, name; sort)',
  middleware: [requireRole('viewer')] as const,
  request: { query: JobListQuerySchema },
  responses: { 200: json(JobPageSchema, 'A page of jobs'), ...errorResponses(401, 403, 422) },
});

export const getJob = createRoute({
  method: 'get',
  path: '/jobs/{id}',
  tags,
  summary: 'Get one job (ETag is its version; If-None-Match answers 304)',
  middleware: [requireRole('viewer')] as const,
  request: { params: IdParamSchema },
  responses: {
    200: json(JobSchema, 'The job'),
    304: { description: 'Not modified' },
    ...errorResponses(401, 403, 404),
  },
});

export const createJob = createRoute({
  method: 'post',
  path: '/jobs',
  tags,
  summary: 'Create a job (function, arguments and cron are validated)',
  middleware: [requireRole('admin')] as const,
  request: { body: { content: { 'application/json': { schema: JobCreateSchema } }, required: true } },
  responses: { 201: json(JobSchema, 'Created'), ...errorResponses(401, 403, 409, 422) },
});

const updateRequest = {
  params: IdParamSchema,
  headers: z.object({
    'if-match': z.string().optional().openapi({ description: 'The version you edited, e.g. "3"' }),
  }),
  body: { content: { 'application/json': { schema: JobUpdateSchema } }, required: true },
};

export const updateJob = createRoute({
  method: 'patch',
  path: '/jobs/{id}',
  tags,
  summary: 'Change a job (optimistic concurrency: If-Match or "version" in the body)',
  middleware: [requireRole('admin')] as const,
  request: updateRequest,
  responses: { 200: json(JobSchema, 'Updated'), ...errorResponses(401, 403, 404, 409, 412, 422, 428) },
});

export const replaceJob = createRoute({
  method: 'put',
  path: '/jobs/{id}',
  tags,
  summary: 'Change a job (same as PATCH: fields left out keep their value)',
  middleware: [requireRole('admin')] as const,
  request: updateRequest,
  responses: { 200: json(JobSchema, 'Updated'), ...errorResponses(401, 403, 404, 409, 412, 422, 428) },
});

const action = (path: string, summary: string, role: 'operator' | 'admin') =>
  createRoute({
    method: 'post',
    path: `/jobs/{id}/${path}`,
    tags,
    summary,
    middleware: [requireRole(role)] as const,
    request: { params: IdParamSchema },
    responses: { 200: json(JobSchema, 'The job after the change'), ...errorResponses(401, 403, 404, 409) },
  });

export const enableJob = action(
  'enable',
  'Enable a job (it starts from the next tick; no burst of missed runs)',
  'operator',
);
export const disableJob = action(
  'disable',
  'Disable a job (no new ticks are claimed; running runs finish)',
  'operator',
);
export const archiveJob = action(
  'archive',
  'Archive a job (never deleted; archived jobs never run)',
  'admin',
);
export const unarchiveJob = action('unarchive', 'Unarchive a job (it comes back disabled)', 'admin');

export const runJob = createRoute({
  method: 'post',
  path: '/jobs/{id}/run',
  tags,
  summary: 'Run a job now (queued at once; the same Idempotency-Key returns the first run)',
  middleware: [requireRole('operator')] as const,
  request: {
    params: IdParamSchema,
    headers: z.object({
      'idempotency-key': z
        .string()
        .min(1)
        .max(128)
        .optional()
        .openapi({ description: 'Makes the request safe to repeat' }),
    }),
  },
  responses: {
    202: json(RunSchema, 'Queued'),
    200: json(RunSchema, 'Already queued with this Idempotency-Key: the first run'),
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

export const deleteJob = createRoute({
  method: 'delete',
  path: '/jobs/{id}',
  tags,
  summary: 'Not allowed: jobs are archived, never deleted (non-delete policy)',
  middleware: [requireRole('admin')] as const,
  request: { params: IdParamSchema },
  responses: errorResponses(401, 403, 405),
});
