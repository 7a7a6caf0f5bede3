-- SECURITY: the application runs as the role cairn_app (server/kernel/db/client.ts sets it on every
-- connection). It is not a superuser and has no BYPASSRLS, so row-level security applies to it, and it
-- cannot change or delete audit rows. The role is cluster-wide: create it only if missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cairn_app') THEN
    CREATE ROLE cairn_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
--> statement-breakpoint
-- The migrating user must be able to SET ROLE cairn_app.
GRANT cairn_app TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO cairn_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cairn_app;
--> statement-breakpoint
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO cairn_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cairn_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO cairn_app;
--> statement-breakpoint
-- The audit trail is append-only for the app role ...
REVOKE UPDATE, DELETE, TRUNCATE ON kernel_audit FROM cairn_app;
--> statement-breakpoint
-- ... and for everyone else short of disabling this trigger, which is itself a visible act.
CREATE OR REPLACE FUNCTION kernel_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'kernel_audit is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER kernel_audit_no_update BEFORE UPDATE OR DELETE ON kernel_audit
  FOR EACH ROW EXECUTE FUNCTION kernel_audit_refuse_change();
--> statement-breakpoint
CREATE TRIGGER kernel_audit_no_truncate BEFORE TRUNCATE ON kernel_audit
  FOR EACH STATEMENT EXECUTE FUNCTION kernel_audit_refuse_change();
