// What the engine tells others about run outcomes (alerts use it). Failures are reported inside the transaction
// that records the final status, so whatever the hook writes commits with it, exactly once across replicas.
import type { SqlExecutor } from '../db/index.ts';

export interface RunFailure {
  jobId: string;
  jobName: string;
  runId: string;
  /** The status recorded: `failed`/`timed_out` when a retry is queued, `dead` when none is left. */
  final: string;
  /** The attempt ran out of time (whether or not it is retried). */
  timedOut: boolean;
  attempt: number;
  message: string;
}

export interface RunOutcomeHooks {
  runFailed(tx: SqlExecutor, failure: RunFailure): Promise<void>;
  /** After a success is committed (outside the transaction). */
  runSucceeded(jobId: string, runId: string): Promise<void>;
  /** Once per poll sweep on every replica (overdue checks, due deliveries). */
  sweep(now: Date): Promise<void>;
}
