-- The read-only role POST /api/sql logs in as (SQL access to raw logs). Created only when missing,
-- so it agrees with any other migration that creates it; `logflow migrate` gives it LOGIN and the
-- password LOGFLOW_READER_PASSWORD, which a migration cannot take.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'logflow_reader') THEN
    CREATE ROLE logflow_reader NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO logflow_reader;
--> statement-breakpoint
GRANT SELECT ON "logs" TO logflow_reader;
