-- The dispatcher picks queued runs oldest due first (sql/runs.ts, selectDispatchable): with this index it reads
-- them in order instead of sorting every queued row on each pass.
CREATE INDEX "job_runs_queued_due_idx" ON "job_runs" USING btree (coalesce("not_before", "created_at"),"created_at") WHERE "job_runs"."status" = 'queued';