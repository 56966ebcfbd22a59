// Example jobs a fresh install can add from its empty jobs page: one per kind of built-in work, all created
// DISABLED (nothing runs until someone enables it), through the jobs service so they are validated and audited.
import type { JobCreate } from './jobs.schemas.ts';

export const EXAMPLE_JOBS: readonly JobCreate[] = [
  {
    name: 'example-heartbeat',
    description: 'Example: logs a heartbeat every 5 minutes, proving the scheduler runs.',
    func: 'app.jobs.heartbeat:hello_job',
    kwargs: { message: 'hello from app-server' },
    cron: '*/5 * * * *',
    enabled: false,
  },
  {
    name: 'example-prune-runs',
    description:
      "Example: deletes finished run history every night, by each job's own retention and otherwise older than RUN_RETENTION_DAYS.",
    func: 'app.jobs.maintenance:prune_runs',
    kwargs: { keep_per_job: 20, dry_run: true },
    cron: '15 3 * * *',
    enabled: false,
  },
  {
    name: 'example-http-check',
    description: 'Example: calls a URL every hour and fails unless it answers 200.',
    func: 'app.jobs.http:http_request',
    kwargs: { method: 'GET', url: 'https://example.com/', expected_status: [200] },
    cron: '0 * * * *',
    enabled: false,
  },
  {
    name: 'example-files-cleanup',
    description: 'Example: reports uploads older than 30 days, weekly (dry run: removes nothing).',
    func: 'app.jobs.files:cleanup_files',
    kwargs: { older_than_days: 30, dry_run: true },
    cron: '0 4 * * 0',
    enabled: false,
  },
] as JobCreate[];
