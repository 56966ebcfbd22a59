import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../../../http/principal.ts';
import { errorResponses, IdParamSchema } from '../../jobs/api/jobs.common.ts';
import { RunListQuerySchema, RunPageSchema, RunSchema } from '../../jobs/jobs.schemas.ts';

const tags = ['runs'];

export const listRuns = createRoute({
  method: 'get',
  path: '/runs',
  tags,
  summary: 'List runs of every job (filter by status, trigger and scheduled time range)',
  middleware: [requireRole('viewer')] as const,
  request: { query: RunListQuerySchema },
  responses: {
    200: {
      description: 'A page of runs, newest first',
      content: { 'application/json': { schema: RunPageSchema } },
    },
    ...errorResponses(401, 403, 422),
  },
});

export const listJobRuns = createRoute({
  method: 'get',
  path: '/jobs/{id}/runs',
  tags,
  summary: "List one job's runs (filter by status, trigger and scheduled time range)",
  middleware: [requireRole('viewer')] as const,
  request: { params: IdParamSchema, query: RunListQuerySchema },
  responses: {
    200: {
      description: 'A page of runs, newest first',
      content: { 'application/json': { schema: RunPageSchema } },
    },
    ...errorResponses(401, 403, 404, 422),
  },
});

export const getRun = createRoute({
  method: 'get',
  path: '/runs/{id}',
  tags,
  summary: 'Get one run with its output or error',
  middleware: [requireRole('viewer')] as const,
  request: { params: IdParamSchema },
  responses: {
    200: { description: 'The run', content: { 'application/json': { schema: RunSchema } } },
    ...errorResponses(401, 403, 404),
  },
});

export const retryRun = createRoute({
  method: 'post',
  path: '/runs/{id}/retry',
  tags,
  summary: 'Retry a dead run (queues one more attempt; repeating returns the same retry)',
  middleware: [requireRole('operator')] as const,
  request: { params: IdParamSchema },
  responses: {
    202: { description: 'Retry queued', content: { 'application/json': { schema: RunSchema } } },
    200: {
      description: 'Already retried: that retry',
      content: { 'application/json': { schema: RunSchema } },
    },
    ...errorResponses(401, 403, 404, 409),
  },
});
