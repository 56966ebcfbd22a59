import { defineRoute, IdParamSchema, jsonContent } from '../../../http/openapi.ts';
import { RunListQuerySchema, RunPageSchema, RunSchema } from '../../jobs/jobs.schemas.ts';

export const listRuns = defineRoute({
  operationId: 'listRuns',
  method: 'get',
  path: '/runs',
  tag: 'runs',
  summary: 'List runs of every job (filter by status, trigger and scheduled time range)',
  access: 'viewer',
  request: { query: RunListQuerySchema },
  responses: { 200: jsonContent(RunPageSchema, 'A page of runs, newest first') },
});

export const listJobRuns = defineRoute({
  operationId: 'listJobRuns',
  method: 'get',
  path: '/jobs/{id}/runs',
  tag: 'runs',
  summary: "List one job's runs (filter by status, trigger and scheduled time range)",
  access: 'viewer',
  request: { params: IdParamSchema, query: RunListQuerySchema },
  responses: { 200: jsonContent(RunPageSchema, 'A page of runs, newest first') },
});

export const getRun = defineRoute({
  operationId: 'getRun',
  method: 'get',
  path: '/runs/{id}',
  tag: 'runs',
  summary: 'Get one run with its output or error',
  access: 'viewer',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(RunSchema, 'The run') },
});

export const retryRun = defineRoute({
  operationId: 'retryRun',
  method: 'post',
  path: '/runs/{id}/retry',
  tag: 'runs',
  summary: 'Retry a dead run (queues one more attempt; repeating returns the same retry)',
  access: 'operator',
  request: { params: IdParamSchema },
  responses: {
    202: jsonContent(RunSchema, 'Retry queued'),
    200: jsonContent(RunSchema, 'Already retried: that retry'),
  },
  errors: [409],
});
