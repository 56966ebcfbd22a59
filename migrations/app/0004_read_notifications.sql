-- Every committed change to what GET /jobs and GET /jobs/{id} answer is announced on the app_data_changed channel,
-- whoever wrote it: the API, the scheduler's claims and outcomes, or an operator in psql. Each origin's page cache
-- (src/db/change-feed.ts) forgets its pages when it hears one. Statement-level: one notification per statement,
-- and PostgreSQL folds identical ones within a transaction. Lease renewals (heartbeat_at, lease_expires_at) are
-- not in a job's answer and announce nothing.
CREATE FUNCTION app_announce_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('app_data_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER scheduled_jobs_announce_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON scheduled_jobs
  FOR EACH STATEMENT EXECUTE FUNCTION app_announce_data_change();
--> statement-breakpoint
CREATE TRIGGER job_runs_announce_change
  AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF job_id, status, trigger, scheduled_for, started_at, finished_at, duration_ms, created_at
  ON job_runs
  FOR EACH STATEMENT EXECUTE FUNCTION app_announce_data_change();
