CREATE TABLE "dlq_replays" (
	"topic" text NOT NULL,
	"partition" integer NOT NULL,
	"offset" bigint NOT NULL,
	"replayed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "dlq_replays_pkey" PRIMARY KEY("topic","partition","offset")
);
