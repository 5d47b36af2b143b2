-- SQL access to raw logs: a read-only role and views that spare readers the Kafka columns.
-- A migration cannot take a password, so the role starts without LOGIN; `logflow migrate`
-- gives it LOGIN and its password from LOGFLOW_READER_PASSWORD.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'logflow_reader') THEN
    CREATE ROLE logflow_reader NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
CREATE VIEW "log_events" AS
SELECT "id", "timestamp", "level", "message", "resource_id", "trace_id", "span_id", "commit",
       "metadata" ->> 'parentResourceId' AS "parent_resource_id", "metadata", "received_at"
FROM "logs";
--> statement-breakpoint
CREATE VIEW "error_logs" AS SELECT * FROM "log_events" WHERE "level" IN ('error', 'fatal');
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO logflow_reader;
--> statement-breakpoint
GRANT SELECT ON "logs", "log_events", "error_logs" TO logflow_reader;
--> statement-breakpoint
-- Readers can neither write by mistake nor hold the database with a runaway query.
ALTER ROLE logflow_reader SET default_transaction_read_only = on;
--> statement-breakpoint
ALTER ROLE logflow_reader SET statement_timeout = '60s';
