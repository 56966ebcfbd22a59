// What the dashboard shows (plain data, also what the views receive).
export interface HourBucket {
  /** The hour's start, ISO (UTC). */
  hour: string;
  counts: Record<string, number>;
}

export type SlowJob = {
  job_id: string;
  name: string;
  runs: number;
  avg_ms: number;
  p95_ms: number;
  max_ms: number;
};

export type FailingJob = {
  job_id: string;
  name: string;
  runs: number;
  failures: number;
  last_error: string | null;
};

export interface NextFire {
  job_id: string;
  name: string;
  next_run_at: string;
  cron: string;
}

export interface Dashboard {
  /** When the numbers were read (the right edge of the charts). */
  now: string;
  hours: HourBucket[];
  slowest: SlowJob[];
  failing: FailingJob[];
  nextFires: NextFire[];
}
