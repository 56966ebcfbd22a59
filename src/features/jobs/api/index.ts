// The scheduler's API: jobs, runs, functions and cron preview, mounted under config.apiPrefix.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createRouter } from '../../../http/router.ts';
import type { AppBindings } from '../../../http/types.ts';
import { createRunsRouter } from '../../runs/api/index.ts';
import { createCronRouter } from './cron-preview.ts';
import { createFunctionsRouter } from './functions.ts';
import * as handlers from './jobs.handlers.ts';
import * as routes from './jobs.routes.ts';

export function createJobsRouter() {
  return createRouter()
    .openapi(routes.listJobs, handlers.listJobsHandler)
    .openapi(routes.createJob, handlers.createJobHandler)
    .openapi(routes.getJob, handlers.getJobHandler)
    .openapi(routes.updateJob, handlers.updateJobHandler)
    .openapi(routes.replaceJob, handlers.updateJobHandler as never)
    .openapi(routes.deleteJob, handlers.deleteJobHandler)
    .openapi(routes.enableJob, handlers.enableJobHandler)
    .openapi(routes.disableJob, handlers.disableJobHandler as never)
    .openapi(routes.archiveJob, handlers.archiveJobHandler as never)
    .openapi(routes.unarchiveJob, handlers.unarchiveJobHandler as never)
    .openapi(routes.runJob, handlers.runJobHandler);
}

/** Mounts jobs, runs, functions and cron preview under `prefix` (config.apiPrefix). */
export function mountSchedulerApi(app: OpenAPIHono<AppBindings>, prefix: string) {
  app.route(prefix, createJobsRouter());
  app.route(prefix, createRunsRouter());
  app.route(prefix, createFunctionsRouter());
  app.route(prefix, createCronRouter());
  return app;
}
