// The functions every build registers. Add a job: write one module here and list it below.
import type { JobFunction } from '../types.ts';
import { filesCleanupJob } from './files-cleanup.ts';
import { helloJob } from './heartbeat.ts';
import { httpRequestJob } from './http-request.ts';
import { legacySqlReportJob } from './legacy-report.ts';
import { pruneRunsJob } from './prune-runs.ts';

export const BUILTIN_JOBS: readonly JobFunction[] = [
  helloJob as JobFunction,
  httpRequestJob as JobFunction,
  legacySqlReportJob as JobFunction,
  filesCleanupJob as JobFunction,
  pruneRunsJob as JobFunction,
];
