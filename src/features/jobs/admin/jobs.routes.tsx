// Jobs: the list (live rows, in-place enable switch), the create/edit form (cron preview and the function's
// arguments as fragments), the job page (runs, run now, retry, archive). Every change goes through the jobs
// service, so the admin UI and the API validate and audit the same way. Plain form posts redirect (PRG).
import type { Hono } from 'hono';
import { ArgsEditor, ListRowFragment } from '../../../../views/components/args-form.tsx';
import { CronPreview } from '../../../../views/components/cron-preview.tsx';
import { queryString } from '../../../../views/components/format.ts';
import { JobRow, JobRows } from '../../../../views/components/job-rows.tsx';
import { RunRows } from '../../../../views/components/run-rows.tsx';
import { type FieldErrors, JobFormPage, type JobFormValues } from '../../../../views/pages/job-form-page.tsx';
import { JobPage } from '../../../../views/pages/job-page.tsx';
import { type JobFilters, JobsPage } from '../../../../views/pages/jobs-page.tsx';
import { safeAdminPath, withNotice } from '../../../admin/navigation.ts';
import {
  type AdminContext,
  type AdminKit,
  chromeFor,
  isHtmx,
  pageParam,
  requireAdminRole,
} from '../../../admin/page.ts';
import { MISFIRE_POLICIES, OVERLAP_POLICIES, RUN_STATUSES } from '../../../db/schema/index.ts';
import { AppError } from '../../../http/errors.ts';
import type { AppBindings } from '../../../http/types.ts';
import type { ValidationIssue } from '../../../http/validation.ts';
import { argsFormFor, listFieldAt, postedFields } from '../args-form.ts';
import { EXAMPLE_JOBS } from '../example-jobs.ts';
import { JOB_STATUSES, type Job, JobListQuerySchema } from '../jobs.schemas.ts';
import {
  type ArgsState,
  argsEditorProps,
  argsStateFor,
  defaultFormValues,
  fieldErrorsFromIssues,
  formValuesFromBody,
  formValuesFromJob,
  jobInputFromForm,
  readArgsPost,
  withArgIssues,
} from './job-form.ts';

const JOBS_PAGE_SIZE = 20;
const RUNS_PAGE_SIZE = 20;
/** How many of the newest runs the job page draws as a strip. */
const STRIP_RUNS = 50;
/** The most rows one list of arguments is given in place (far past any real use; bounds the index). */
const MAX_ARG_ROWS = 1000;

function jobFilters(c: AdminContext): JobFilters {
  const q = c.req.query();
  return {
    q: (q.q ?? '').slice(0, 120),
    status: (JOB_STATUSES as readonly string[]).includes(q.status ?? '') ? q.status! : '',
    enabled: q.enabled === 'true' || q.enabled === 'false' ? q.enabled : '',
    func: (q.func ?? '').slice(0, 200),
    archived: q.archived === 'include' || q.archived === 'only' ? q.archived : 'exclude',
  };
}

async function listForFilters(c: AdminContext, filters: JobFilters, page: number) {
  const query = JobListQuerySchema.parse({
    ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== '')),
    page,
    page_size: JOBS_PAGE_SIZE,
  });
  return c.var.deps.jobs.listJobs(query);
}

function runStatusParam(c: AdminContext): string {
  const status = c.req.query('status') ?? '';
  return (RUN_STATUSES as readonly string[]).includes(status) ? status : '';
}

export function registerJobRoutes(admin: Hono<AppBindings>, kit: AdminKit) {
  const functionViews = (c: AdminContext) => c.var.deps.jobs.listFunctions();

  admin.get('/jobs', async (c) => {
    const filters = jobFilters(c);
    const page = pageParam(c.req.query('page'));
    const result = await listForFilters(c, filters, page);
    const here = `/admin/jobs${queryString({ ...filters, archived: filters.archived === 'exclude' ? '' : filters.archived, page: page > 1 ? page : undefined })}`;
    const unfiltered = !filters.q && !filters.status && !filters.enabled && !filters.func && page === 1;
    const firstRun =
      unfiltered &&
      result.total === 0 &&
      (await listForFilters(c, { ...filters, archived: 'include' }, 1)).total === 0;
    return c.html(
      <JobsPage
        chrome={await chromeFor(c)}
        assetVersion={kit.assetVersion}
        jobs={result.items}
        filters={filters}
        statuses={JOB_STATUSES}
        functions={functionViews(c).map((fn) => fn.key)}
        links={{
          page,
          pageSize: JOBS_PAGE_SIZE,
          total: result.total,
          href: (p) => `/admin/jobs${queryString({ ...filters, page: p })}`,
        }}
        pollUrl={`/admin/jobs/rows${queryString({ ...filters, page })}`}
        returnTo={here}
        firstRun={firstRun}
      />,
    );
  });

  // First run: add the example jobs (disabled), each through the service so it is validated and audited.
  admin.post('/jobs/examples', async (c) => {
    requireAdminRole(c, 'admin');
    for (const example of EXAMPLE_JOBS) {
      try {
        await c.var.deps.jobs.createJob(example, kit.actor(c));
      } catch (error) {
        // Added before (or a job has the name): keep that one.
        if (!(error instanceof AppError && error.code === 'name_taken')) throw error;
      }
    }
    return c.redirect(withNotice('/admin/jobs', 'examples'), 303);
  });

  admin.get('/jobs/rows', async (c) => {
    const filters = jobFilters(c);
    const page = pageParam(c.req.query('page'));
    const result = await listForFilters(c, filters, page);
    const chrome = await chromeFor(c);
    return c.html(
      <JobRows
        jobs={result.items}
        can={chrome.can}
        csrfToken={chrome.csrfToken}
        pollUrl={`/admin/jobs/rows${queryString({ ...filters, page })}`}
        returnTo={`/admin/jobs${queryString({ ...filters, page })}`}
      />,
    );
  });

  admin.get('/cron-preview', (c) => {
    const cron = (c.req.query('cron') ?? '').slice(0, 200);
    const timezone = (c.req.query('timezone') ?? 'UTC').slice(0, 64) || 'UTC';
    if (!cron.trim()) return c.html(<CronPreview preview={null} />);
    return c.html(<CronPreview preview={c.var.deps.jobs.previewCron(cron, timezone, 5)} />);
  });

  const functionNamed = (c: AdminContext, key: string | undefined) =>
    functionViews(c).find((f) => f.key === key);

  // htmx: the editor for the function just picked, with its defaults.
  admin.get('/function-args', (c) => {
    const fn = functionNamed(c, c.req.query('func'));
    return c.html(<ArgsEditor {...argsEditorProps(fn, argsStateFor(fn))} />);
  });

  // htmx: "Add row" without a round trip of the whole form: one empty row of a list, and the next button.
  admin.get('/function-args/row', (c) => {
    const fn = functionNamed(c, c.req.query('func'));
    const list = fn && listFieldAt(argsFormFor(fn.args_schema), c.req.query('list') ?? '');
    const index = Number(c.req.query('index'));
    if (!fn || !list || !Number.isInteger(index) || index < 0 || index >= MAX_ARG_ROWS) {
      throw new AppError(404, 'not_found', 'No such list in the arguments of that function.');
    }
    return c.html(<ListRowFragment func={fn.key} field={list.field} path={list.path} index={index} />);
  });

  const renderForm = async (
    c: AdminContext,
    options: {
      values: JobFormValues;
      errors?: FieldErrors;
      formError?: string;
      job?: Job;
      conflict?: Job;
      args: ArgsState;
      status?: 200 | 409 | 422;
    },
  ) => {
    const { values } = options;
    const fn = functionNamed(c, values.func);
    return c.html(
      <JobFormPage
        chrome={await chromeFor(c)}
        assetVersion={kit.assetVersion}
        job={
          options.job
            ? { id: options.job.id, version: options.job.version, name: options.job.name }
            : undefined
        }
        values={values}
        errors={options.errors ?? {}}
        formError={options.formError}
        conflict={options.conflict}
        functions={functionViews(c)}
        timezones={kit.timezones}
        overlapPolicies={OVERLAP_POLICIES}
        misfirePolicies={MISFIRE_POLICIES}
        preview={
          values.cron.trim() ? c.var.deps.jobs.previewCron(values.cron, values.timezone || 'UTC', 5) : null
        }
        args={argsEditorProps(fn, options.args)}
      />,
      options.status ?? 200,
    );
  };

  /** Turns the service's refusals of a form into messages beside the fields; anything else propagates. */
  const formProblem = (error: unknown, errors: FieldErrors): string => {
    if (!(error instanceof AppError)) throw error;
    if (error.status === 422 && Array.isArray(error.detail)) {
      fieldErrorsFromIssues(error.detail as ValidationIssue[], errors);
      return 'The job is not valid: see the messages beside the fields.';
    }
    if (error.code === 'name_taken') {
      errors.name = [...(errors.name ?? []), error.message];
      return 'The job is not valid: see the messages beside the fields.';
    }
    throw error;
  };

  admin.get('/jobs/new', async (c) => {
    requireAdminRole(c, 'admin');
    return renderForm(c, { values: defaultFormValues(), args: argsStateFor(undefined) });
  });

  /**
   * Create (no job) or update: reads the typed arguments (or the JSON text), shows the form again for "Add
   * row" or a function switched without JavaScript, and otherwise saves through the service, whose 422
   * issues come back beside the fields.
   */
  const saveJobForm = async (c: AdminContext, job?: Job) => {
    const form = await c.req.formData();
    const posted = postedFields(form.entries());
    const body = Object.fromEntries([...posted].map(([name, list]) => [name, list.at(-1)]));
    const values = formValuesFromBody(body);
    const read = readArgsPost(functionNamed(c, values.func), posted, values);
    if (read.action === 'show') {
      return renderForm(c, {
        values,
        job,
        args: read.state,
        ...(read.message ? { formError: read.message, status: 422 as const } : {}),
      });
    }
    let args = read.state;
    const { input, errors } = jobInputFromForm(values, read.kwargs);
    const invalid = (formError: string, status: 409 | 422 = 422, conflict?: Job) =>
      renderForm(c, { values, errors, job, conflict, formError, args, status });
    if (Object.keys(errors).length || Object.keys(args.errors).length || args.jsonErrors.length) {
      return invalid('The job is not valid.');
    }
    try {
      if (!job) {
        const created = await c.var.deps.jobs.createJob(input, kit.actor(c));
        return c.redirect(withNotice(`/admin/jobs/${created.id}`, 'created'), 303);
      }
      const version = Number(body.version);
      await c.var.deps.jobs.updateJob(
        job.id,
        input,
        Number.isInteger(version) ? version : undefined,
        kit.actor(c),
      );
      return c.redirect(withNotice(`/admin/jobs/${job.id}`, 'saved'), 303);
    } catch (error) {
      if (job && error instanceof AppError && error.code === 'version_conflict') {
        return invalid(error.message, 409, (error.detail as { current: Job }).current);
      }
      if (error instanceof AppError && error.status === 422 && Array.isArray(error.detail)) {
        args = withArgIssues(args, error.detail as ValidationIssue[]);
      }
      return invalid(formProblem(error, errors));
    }
  };

  admin.post('/jobs', async (c) => {
    requireAdminRole(c, 'admin');
    return saveJobForm(c);
  });

  admin.get('/jobs/:id', async (c) => {
    const job = await c.var.deps.jobs.getJob(c.req.param('id'));
    const runStatus = runStatusParam(c);
    const page = pageParam(c.req.query('page'));
    const runs = await c.var.deps.jobs.listRuns({
      job_id: job.id,
      page,
      page_size: RUNS_PAGE_SIZE,
      ...(runStatus ? { status: runStatus as never } : {}),
    });
    const recent = await c.var.deps.jobs.listRuns({ job_id: job.id, page: 1, page_size: STRIP_RUNS });
    const base = `/admin/jobs/${job.id}`;
    return c.html(
      <JobPage
        recentRuns={recent.items}
        chrome={await chromeFor(c)}
        assetVersion={kit.assetVersion}
        job={job}
        runs={runs.items}
        runStatus={runStatus}
        runStatuses={RUN_STATUSES}
        links={{
          page,
          pageSize: RUNS_PAGE_SIZE,
          total: runs.total,
          href: (p) => `${base}${queryString({ status: runStatus, page: p })}`,
        }}
        pollUrl={`${base}/runs${queryString({ status: runStatus, page })}`}
        returnTo={`${base}${queryString({ status: runStatus, page })}`}
        globalRetentionDays={c.var.deps.config.scheduler.runRetentionDays}
      />,
    );
  });

  admin.get('/jobs/:id/runs', async (c) => {
    const id = c.req.param('id');
    const runStatus = runStatusParam(c);
    const page = pageParam(c.req.query('page'));
    const runs = await c.var.deps.jobs.listRuns({
      job_id: id,
      page,
      page_size: RUNS_PAGE_SIZE,
      ...(runStatus ? { status: runStatus as never } : {}),
    });
    const chrome = await chromeFor(c);
    const base = `/admin/jobs/${id}`;
    return c.html(
      <RunRows
        runs={runs.items}
        can={chrome.can}
        csrfToken={chrome.csrfToken}
        pollUrl={`${base}/runs${queryString({ status: runStatus, page })}`}
        returnTo={`${base}${queryString({ status: runStatus, page })}`}
      />,
    );
  });

  admin.get('/jobs/:id/edit', async (c) => {
    requireAdminRole(c, 'admin');
    const job = await c.var.deps.jobs.getJob(c.req.param('id'));
    if (job.archived_at) throw new AppError(409, 'job_archived', 'Unarchive the job before editing it.');
    return renderForm(c, {
      values: formValuesFromJob(job),
      job,
      args: argsStateFor(functionNamed(c, job.func), job.kwargs),
    });
  });

  admin.post('/jobs/:id', async (c) => {
    requireAdminRole(c, 'admin');
    return saveJobForm(c, await c.var.deps.jobs.getJob(c.req.param('id')));
  });

  admin.post('/jobs/:id/toggle', async (c) => {
    requireAdminRole(c, 'operator');
    const id = c.req.param('id');
    const body = await c.req.parseBody();
    const enabled = body.enabled === 'true';
    await c.var.deps.jobs.setEnabled(id, enabled, kit.actor(c));
    const returnTo = safeAdminPath(typeof body.return_to === 'string' ? body.return_to : undefined);
    if (isHtmx(c)) {
      const job = await c.var.deps.jobs.getJob(id);
      const chrome = await chromeFor(c);
      return c.html(<JobRow job={job} can={chrome.can} csrfToken={chrome.csrfToken} returnTo={returnTo} />);
    }
    return c.redirect(withNotice(returnTo, enabled ? 'enabled' : 'disabled'), 303);
  });

  admin.post('/jobs/:id/run', async (c) => {
    requireAdminRole(c, 'operator');
    const id = c.req.param('id');
    await c.var.deps.jobs.runNow(id, kit.actor(c));
    return c.redirect(`${withNotice(`/admin/jobs/${id}`, 'run')}#runs`, 303);
  });

  admin.post('/jobs/:id/archive', async (c) => {
    requireAdminRole(c, 'admin');
    const id = c.req.param('id');
    await c.var.deps.jobs.archiveJob(id, kit.actor(c));
    return c.redirect(withNotice(`/admin/jobs/${id}`, 'archived'), 303);
  });

  admin.post('/jobs/:id/unarchive', async (c) => {
    requireAdminRole(c, 'admin');
    const id = c.req.param('id');
    await c.var.deps.jobs.unarchiveJob(id, kit.actor(c));
    return c.redirect(withNotice(`/admin/jobs/${id}`, 'unarchived'), 303);
  });

  admin.post('/runs/:id/retry', async (c) => {
    requireAdminRole(c, 'operator');
    const { run } = await c.var.deps.jobs.retryRun(c.req.param('id'), kit.actor(c));
    const body = await c.req.parseBody();
    const back = safeAdminPath(
      typeof body.return_to === 'string' ? body.return_to : undefined,
      `/admin/jobs/${run.job_id}`,
    );
    return c.redirect(withNotice(back, 'retried'), 303);
  });
}
