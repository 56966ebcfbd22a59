import { actorOf } from '../../../audit/record-audit.ts';
import { AppError, errorResponse } from '../../../http/errors.ts';
import type { AppRouteHandler as Handler } from '../../../http/openapi.ts';
import { sendPage } from '../../../http/page-cache.ts';
import type { JobsService } from '../jobs.service.ts';
import { etagOf, parseIfMatch } from './jobs.common.ts';
import type * as routes from './jobs.routes.ts';

export const listJobsHandler: Handler<typeof routes.listJobs> = async (c) => {
  const query = c.req.valid('query');
  const { pages, jobs } = c.get('deps');
  if (pages) {
    const page = await pages.get(`jobs ${JSON.stringify(query)}`, () => jobs.listJobs(query));
    return sendPage(c, page) as never;
  }
  const page = await jobs.listJobs(query);
  c.header('Cache-Control', 'private, no-cache');
  return c.json(page, 200);
};

export const getJobHandler: Handler<typeof routes.getJob> = async (c) => {
  const id = c.req.valid('param').id;
  const { pages, jobs } = c.get('deps');
  if (pages) {
    // The ETag stays the job's version: clients send it back as If-Match.
    const page = await pages.get(
      `job ${id}`,
      () => jobs.getJob(id),
      (job) => etagOf(job.version),
    );
    return sendPage(c, page) as never;
  }
  const job = await jobs.getJob(id);
  const etag = etagOf(job.version);
  c.header('ETag', etag);
  c.header('Cache-Control', 'private, no-cache');
  if (
    c.req
      .header('if-none-match')
      ?.split(',')
      .some((tag) => tag.trim().replace(/^W\//, '') === etag)
  ) {
    return c.body(null, 304);
  }
  return c.json(job, 200);
};

export const createJobHandler: Handler<typeof routes.createJob> = async (c) => {
  const job = await c.var.deps.jobs.createJob(c.req.valid('json'), actorOf(c));
  c.header('ETag', etagOf(job.version));
  c.header('Location', `${c.req.path}/${job.id}`);
  return c.json(job, 201);
};

export const updateJobHandler: Handler<typeof routes.updateJob> = async (c) => {
  const ifMatch = parseIfMatch(c.req.header('if-match'));
  try {
    const job = await c.var.deps.jobs.updateJob(
      c.req.valid('param').id,
      c.req.valid('json'),
      ifMatch,
      actorOf(c),
    );
    c.header('ETag', etagOf(job.version));
    return c.json(job, 200);
  } catch (error) {
    // With If-Match, a stale version is the HTTP precondition failure; the detail still holds the current job.
    if (ifMatch !== undefined && error instanceof AppError && error.code === 'version_conflict') {
      throw new AppError(412, error.code, error.message, error.detail);
    }
    throw error;
  }
};

const action =
  (
    run: (
      service: JobsService,
      id: string,
      actor: ReturnType<typeof actorOf>,
    ) => ReturnType<JobsService['archiveJob']>,
  ): Handler<typeof routes.enableJob> =>
  async (c) => {
    const job = await run(c.var.deps.jobs, c.req.valid('param').id, actorOf(c));
    c.header('ETag', etagOf(job.version));
    return c.json(job, 200);
  };

export const enableJobHandler = action((s, id, actor) => s.setEnabled(id, true, actor));
export const disableJobHandler = action((s, id, actor) => s.setEnabled(id, false, actor));
export const archiveJobHandler = action((s, id, actor) => s.archiveJob(id, actor));
export const unarchiveJobHandler = action((s, id, actor) => s.unarchiveJob(id, actor));

export const runJobHandler: Handler<typeof routes.runJob> = async (c) => {
  const key = c.req.valid('header')['idempotency-key'];
  const { run, created } = await c.var.deps.jobs.runNow(c.req.valid('param').id, actorOf(c), key);
  c.header('Location', `${c.req.path.replace(/\/jobs\/[^/]+\/run$/, '')}/runs/${run.id}`);
  return created ? c.json(run, 202) : c.json(run, 200);
};

export const deleteJobHandler: Handler<typeof routes.deleteJob> = async (c) =>
  errorResponse(
    c,
    405,
    'method_not_allowed',
    'Jobs are never deleted (non-delete policy): archive it with POST /jobs/{id}/archive',
    { allowed_methods: ['GET', 'PATCH', 'PUT'] },
    { Allow: 'GET, PATCH, PUT' },
  ) as never;
