import { z } from '@hono/zod-openapi';
import { defineRoute, IdParamSchema, jsonBody, jsonContent } from '../../../http/openapi.ts';
import {
  JobCreateSchema,
  JobListQuerySchema,
  JobPageSchema,
  JobSchema,
  JobUpdateSchema,
  RunSchema,
} from '../jobs.schemas.ts';

export const listJobs = defineRoute({
  operationId: 'listJobs',
  method: 'get',
  path: '/jobs',
  tag: 'jobs',
  summary: 'List jobs (paginated; filter by enabled, status, function, name; sort)',
  access: 'viewer',
  request: { query: JobListQuerySchema },
  responses: { 200: jsonContent(JobPageSchema, 'A page of jobs') },
});

export const getJob = defineRoute({
  operationId: 'getJob',
  method: 'get',
  path: '/jobs/{id}',
  tag: 'jobs',
  summary: 'Get one job (ETag is its version; If-None-Match answers 304)',
  access: 'viewer',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(JobSchema, 'The job') },
});

export const createJob = defineRoute({
  operationId: 'createJob',
  method: 'post',
  path: '/jobs',
  tag: 'jobs',
  summary: 'Create a job (function, arguments, cron and timezone are validated together)',
  access: 'admin',
  request: { body: jsonBody(JobCreateSchema) },
  responses: { 201: jsonContent(JobSchema, 'Created', ['ETag', 'Location']) },
  errors: [409],
});

const updateRequest = {
  params: IdParamSchema,
  headers: z.object({
    'if-match': z.string().optional().openapi({ description: 'The version you edited, e.g. "3"' }),
  }),
  body: jsonBody(JobUpdateSchema),
};

export const updateJob = defineRoute({
  operationId: 'updateJob',
  method: 'patch',
  path: '/jobs/{id}',
  tag: 'jobs',
  summary: 'Change a job (optimistic concurrency: If-Match or "version" in the body)',
  access: 'admin',
  request: updateRequest,
  responses: { 200: jsonContent(JobSchema, 'Updated', ['ETag']) },
  errors: [409, 412, 428],
});

export const replaceJob = defineRoute({
  operationId: 'replaceJob',
  method: 'put',
  path: '/jobs/{id}',
  tag: 'jobs',
  summary: 'Change a job (same as PATCH: fields left out keep their value)',
  access: 'admin',
  request: updateRequest,
  responses: { 200: jsonContent(JobSchema, 'Updated', ['ETag']) },
  errors: [409, 412, 428],
});

const action = (operationId: string, path: string, summary: string, access: 'operator' | 'admin') =>
  defineRoute({
    operationId,
    method: 'post',
    path: `/jobs/{id}/${path}`,
    tag: 'jobs',
    summary,
    access,
    request: { params: IdParamSchema },
    responses: { 200: jsonContent(JobSchema, 'The job after the change', ['ETag']) },
    errors: [409],
  });

export const enableJob = action(
  'enableJob',
  'enable',
  'Enable a job (it starts from the next tick; no burst of missed runs)',
  'operator',
);
export const disableJob = action(
  'disableJob',
  'disable',
  'Disable a job (no new ticks are claimed; running runs finish)',
  'operator',
);
export const archiveJob = action(
  'archiveJob',
  'archive',
  'Archive a job (never deleted; archived jobs never run)',
  'admin',
);
export const unarchiveJob = action(
  'unarchiveJob',
  'unarchive',
  'Unarchive a job (it comes back disabled)',
  'admin',
);

export const runJob = defineRoute({
  operationId: 'runJob',
  method: 'post',
  path: '/jobs/{id}/run',
  tag: 'jobs',
  summary: 'Run a job now (queued at once; the same Idempotency-Key returns the first run)',
  access: 'operator',
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
    202: jsonContent(RunSchema, 'Queued', ['Location']),
    200: jsonContent(RunSchema, 'Already queued with this Idempotency-Key: the first run', ['Location']),
  },
  errors: [409],
});

export const deleteJob = defineRoute({
  operationId: 'deleteJob',
  method: 'delete',
  path: '/jobs/{id}',
  tag: 'jobs',
  summary: 'Not allowed: jobs are archived, never deleted (non-delete policy)',
  access: 'admin',
  request: { params: IdParamSchema },
  responses: {},
  errors: [405],
});
