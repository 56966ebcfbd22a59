import type { RouteHandler } from '@hono/zod-openapi';
import { createRouter } from '../../../http/router.ts';
import type { AppBindings } from '../../../http/types.ts';
import { actorOf } from '../../jobs/api/jobs.common.ts';
import * as routes from './runs.routes.ts';

const listRunsHandler: RouteHandler<typeof routes.listRuns, AppBindings> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await c.var.deps.jobs.listRuns(c.req.valid('query')), 200);
};

const listJobRunsHandler: RouteHandler<typeof routes.listJobRuns, AppBindings> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(
    await c.var.deps.jobs.listRuns({ ...c.req.valid('query'), job_id: c.req.valid('param').id }),
    200,
  );
};

const getRunHandler: RouteHandler<typeof routes.getRun, AppBindings> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await c.var.deps.jobs.getRun(c.req.valid('param').id), 200);
};

const retryRunHandler: RouteHandler<typeof routes.retryRun, AppBindings> = async (c) => {
  const { run, created } = await c.var.deps.jobs.retryRun(c.req.valid('param').id, actorOf(c));
  return created ? c.json(run, 202) : c.json(run, 200);
};

export function createRunsRouter() {
  return createRouter()
    .openapi(routes.listRuns, listRunsHandler)
    .openapi(routes.listJobRuns, listJobRunsHandler)
    .openapi(routes.getRun, getRunHandler)
    .openapi(routes.retryRun, retryRunHandler);
}
