CREATE INDEX "scheduled_jobs_status_idx" ON "scheduled_jobs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "scheduled_jobs_created_at_idx" ON "scheduled_jobs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "scheduled_jobs_next_run_at_idx" ON "scheduled_jobs" USING btree ("next_run_at");--> statement-breakpoint
CREATE INDEX "scheduled_jobs_last_run_at_idx" ON "scheduled_jobs" USING btree ("last_run_at");