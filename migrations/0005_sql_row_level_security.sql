-- Row-level security for SQL access. logflow_reader sees every log. A read key limited to
-- resourceId patterns logs in as a role of its own, member of logflow_scoped_reader, and sees
-- only the logs whose resource_id matches its key's patterns. The patterns are looked up by
-- session_user, which no statement can change (SET ROLE and set_config change current_user only).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'logflow_scoped_reader') THEN
    CREATE ROLE logflow_scoped_reader NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "logflow_key_patterns"() RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER AS $$
  SELECT coalesce(array_agg(replace(replace(replace(p, '_', '\_'), '*', '%'), '?', '_')), '{}')
  FROM api_keys, unnest(resource_patterns) AS p
  WHERE sql_role = session_user AND revoked_at IS NULL
$$;
--> statement-breakpoint
-- A SECURITY DEFINER function must not resolve names through a schema its callers could write to.
DO $$
BEGIN
  EXECUTE format('ALTER FUNCTION logflow_key_patterns() SET search_path = %I, pg_temp', current_schema());
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO logflow_reader, logflow_scoped_reader', current_schema());
END
$$;
--> statement-breakpoint
GRANT SELECT ON "logs", "log_events", "error_logs" TO logflow_scoped_reader;
--> statement-breakpoint
-- The views read `logs` with the reader's rights (and policies), not their owner's.
ALTER VIEW "log_events" SET (security_invoker = true);
--> statement-breakpoint
ALTER VIEW "error_logs" SET (security_invoker = true);
--> statement-breakpoint
ALTER TABLE "logs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "logs_reader_all" ON "logs" FOR SELECT TO logflow_reader USING (true);
--> statement-breakpoint
-- The sub-select runs the lookup once per statement, not once per row.
CREATE POLICY "logs_scoped_key" ON "logs" FOR SELECT TO logflow_scoped_reader
  USING ("resource_id" LIKE ANY ((SELECT logflow_key_patterns())::text[]));
