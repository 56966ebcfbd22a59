ALTER TABLE "files" ADD COLUMN "mirror_status" varchar(16);--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "mirror_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "mirror_next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "mirror_remote_id" varchar(200);--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "mirror_error" text;--> statement-breakpoint
ALTER TABLE "files" ADD COLUMN "mirrored_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "files_mirror_due_idx" ON "files" USING btree ("mirror_next_attempt_at") WHERE "files"."mirror_status" in ('pending', 'retrying');