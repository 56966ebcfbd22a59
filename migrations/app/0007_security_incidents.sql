CREATE TABLE "security_incidents" (
	"key" varchar(200) PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"kind" varchar(32) NOT NULL,
	"message" text NOT NULL,
	"count" integer NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Global channels that took every event before `security` existed receive security alerts too (new channels
-- subscribe by default); a channel that chose fewer events keeps its choice.
UPDATE "alert_channels" SET "events" = "events" || '["security"]'::jsonb
WHERE "job_id" IS NULL AND "events" @> '["dead","timed_out","overdue","recovered"]'::jsonb
  AND NOT "events" @> '["security"]'::jsonb;
