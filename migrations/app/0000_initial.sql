CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" varchar(120) NOT NULL,
	"action" varchar(64) NOT NULL,
	"target_type" varchar(64) NOT NULL,
	"target_id" varchar(128),
	"before" jsonb,
	"after" jsonb,
	"trace_id" varchar(128),
	"client_ip" varchar(64)
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"trigger" varchar(16) NOT NULL,
	"status" varchar(16) NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"retry_of" uuid,
	"idempotency_key" varchar(128),
	"replica_id" varchar(128),
	"requested_by" varchar(120),
	"lease_expires_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"not_before" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"output" jsonb,
	"error" jsonb,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scheduled_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" varchar(120) NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"func" varchar(200) NOT NULL,
	"cron" varchar(64) NOT NULL,
	"timezone" varchar(64) DEFAULT 'UTC' NOT NULL,
	"args" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"kwargs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"timeout_seconds" integer DEFAULT 300 NOT NULL,
	"max_retries" integer DEFAULT 0 NOT NULL,
	"retry_backoff_seconds" integer DEFAULT 30 NOT NULL,
	"overlap_policy" varchar(16) DEFAULT 'skip' NOT NULL,
	"misfire_policy" varchar(16) DEFAULT 'run_once' NOT NULL,
	"misfire_grace_seconds" integer DEFAULT 60 NOT NULL,
	"misfire_max_catchup" integer DEFAULT 10 NOT NULL,
	"last_run_at" timestamp with time zone,
	"next_run_at" timestamp with time zone,
	"status" varchar(32) DEFAULT 'idle' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"archived_at" timestamp with time zone,
	"created_by" varchar(120),
	"updated_by" varchar(120),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scheduled_jobs_name_key" UNIQUE("name"),
	CONSTRAINT "scheduled_jobs_timeout_positive" CHECK ("scheduled_jobs"."timeout_seconds" > 0),
	CONSTRAINT "scheduled_jobs_retries_range" CHECK ("scheduled_jobs"."max_retries" between 0 and 100)
);
--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_job_id_scheduled_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."scheduled_jobs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_at_idx" ON "audit_log" USING btree ("at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_schedule_tick_key" ON "job_runs" USING btree ("job_id","scheduled_for") WHERE "job_runs"."trigger" in ('schedule', 'catchup');--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_idempotency_key" ON "job_runs" USING btree ("job_id","idempotency_key") WHERE "job_runs"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "job_runs_job_created_idx" ON "job_runs" USING btree ("job_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "job_runs_status_created_idx" ON "job_runs" USING btree ("status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "job_runs_running_lease_idx" ON "job_runs" USING btree ("lease_expires_at") WHERE "job_runs"."status" = 'running';--> statement-breakpoint
CREATE INDEX "job_runs_created_idx" ON "job_runs" USING btree ("created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "scheduled_jobs_enabled_idx" ON "scheduled_jobs" USING btree ("enabled") WHERE "scheduled_jobs"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "scheduled_jobs_func_idx" ON "scheduled_jobs" USING btree ("func");--> statement-breakpoint
CREATE INDEX "scheduled_jobs_updated_at_idx" ON "scheduled_jobs" USING btree ("updated_at");