CREATE TABLE "reconcile_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp(3) with time zone,
	"range_from" timestamp(3) with time zone,
	"range_to" timestamp(3) with time zone,
	"watermark" timestamp(3) with time zone,
	"scope" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"positions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ranges_checked" integer DEFAULT 0 NOT NULL,
	"leaves_diffed" integer DEFAULT 0 NOT NULL,
	"logs_checked" bigint DEFAULT 0 NOT NULL,
	"missing_found" integer DEFAULT 0 NOT NULL,
	"replayed" integer DEFAULT 0 NOT NULL,
	"replay_refused" integer DEFAULT 0 NOT NULL,
	"outdated_replaced" integer DEFAULT 0 NOT NULL,
	"extra_found" integer DEFAULT 0 NOT NULL,
	"extra_removed" integer DEFAULT 0 NOT NULL,
	"twins_removed" integer DEFAULT 0 NOT NULL,
	"duration_ms" integer,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "retention_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp(3) with time zone,
	"cutoff" timestamp(3) with time zone NOT NULL,
	"dropped_partitions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"deleted_rows" bigint DEFAULT 0 NOT NULL,
	"deleted_indices" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"duration_ms" integer,
	"error" text
);
--> statement-breakpoint
CREATE INDEX "reconcile_runs_started_at_idx" ON "reconcile_runs" USING btree ("started_at");