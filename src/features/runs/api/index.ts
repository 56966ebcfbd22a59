import { actorOf } from '../../../audit/record-audit.ts';
import type { AppRouteHandler } from '../../../http/openapi.ts';
import { createRouter } from '../../../http/router.ts';
import * as routes from './runs.routes.ts';

const listRunsHandler: AppRouteHandler<typeof routes.listRuns> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await c.var.deps.jobs.listRuns(c.req.valid('query')), 200);
};

const listJobRunsHandler: AppRouteHandler<typeof routes.listJobRuns> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(
    await c.var.deps.jobs.listRuns({ ...c.req.valid('query'), job_id: c.req.valid('param').id }),
    200,
  );
};

const getRunHandler: AppRouteHandler<typeof routes.getRun> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await c.var.deps.jobs.getRun(c.req.valid('param').id), 200);
};

const retryRunHandler: AppRouteHandler<typeof routes.retryRun> = async (c) => {
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
