// The job function contract: a key in the seed's `module:function` style, a description, a zod schema for
// the keyword arguments, and run(ctx, args). The scheduler builds ctx per run; functions never open connections.
import type { z } from '@hono/zod-openapi';
import type { Config } from '../config/index.ts';
import type { LegacyDatabase, SqlClient } from '../db/index.ts';
import type { FileStore } from '../features/files/file-store.ts';
import type { KeyValueStore } from '../kv/index.ts';
import type { ResolveAll } from '../lib/pinned-fetch.ts';
import type { Logger } from '../observability/logger.ts';

export interface JobContext {
  /** Aborted on timeout, on shutdown past the grace period, or when this replica lost the lease. */
  signal: AbortSignal;
  /** The job's timeout: work that can bound itself on a server (a statement timeout) uses it. */
  timeoutMs: number;
  /** A child logger carrying job, run and attempt. */
  logger: Logger;
  appDb: SqlClient;
  /** The guarded legacy DB (SELECT/INSERT/UPDATE only); undefined when none is configured. */
  legacyDb: LegacyDatabase | undefined;
  kv: KeyValueStore;
  files: FileStore;
  config: Config;
  runId: string;
  jobId: string;
  jobName: string;
  /** The tick this run belongs to (for manual runs: when it was requested). */
  scheduledFor: Date;
  /** 1 for the first try, 2 for the first retry, ... */
  attempt: number;
  /** Name resolution for outbound requests; unset: the system resolver (tests pass one they control). */
  resolve?: ResolveAll;
}

export interface JobFunction<Schema extends z.ZodType = z.ZodType> {
  /** `module:function`, e.g. `app.jobs.heartbeat:hello_job`. Stored in scheduled_jobs.func. */
  key: string;
  description: string;
  /** Validates the job's kwargs (scheduled_jobs.kwargs) when a job is saved and again before each run. */
  argsSchema: Schema;
  /** Whatever it resolves to is stored (bounded) as the run's output. */
  run(ctx: JobContext, args: z.output<Schema>): Promise<unknown>;
}

/** Keeps the args type tied to the schema at the definition site. */
export function defineJob<Schema extends z.ZodType>(job: JobFunction<Schema>): JobFunction<Schema> {
  return job;
}

export const JOB_KEY_PATTERN = /^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/;
