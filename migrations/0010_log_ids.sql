-- One id, one log: the identity rule both stores share (DESIGN.md, Identity). Filled from the
-- logs stored so far, the first received of each id; an id stored before under a second
-- timestamp (possible until now) keeps only that first row, as Elasticsearch's `create` would
-- have (the reconciler then puts the same log back into Elasticsearch, which kept the last).
CREATE TABLE "log_ids" (
	"id" uuid PRIMARY KEY NOT NULL,
	"timestamp" timestamp(3) with time zone NOT NULL
);
--> statement-breakpoint
INSERT INTO "log_ids" ("id", "timestamp")
SELECT DISTINCT ON ("id") "id", "timestamp" FROM "logs" ORDER BY "id", "received_at", "kafka_partition", "kafka_offset";
--> statement-breakpoint
DELETE FROM "logs" l USING "log_ids" i WHERE l."id" = i."id" AND l."timestamp" <> i."timestamp";
--> statement-breakpoint
CREATE INDEX "log_ids_timestamp_idx" ON "log_ids" USING btree ("timestamp");
