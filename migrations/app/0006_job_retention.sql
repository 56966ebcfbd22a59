ALTER TABLE "scheduled_jobs" ADD COLUMN "retention_max_runs" integer;--> statement-breakpoint
ALTER TABLE "scheduled_jobs" ADD COLUMN "retention_max_age_days" integer;--> statement-breakpoint
ALTER TABLE "scheduled_jobs" ADD CONSTRAINT "scheduled_jobs_retention_max_runs_range" CHECK ("scheduled_jobs"."retention_max_runs" between 1 and 100000);--> statement-breakpoint
ALTER TABLE "scheduled_jobs" ADD CONSTRAINT "scheduled_jobs_retention_max_age_days_range" CHECK ("scheduled_jobs"."retention_max_age_days" between 1 and 3650);