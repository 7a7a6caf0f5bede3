-- SECURITY: the session cache (server/modules/identity/identity.actor-cache.ts) may serve a session row for a few
-- seconds only because every change to what identity_session_actor reads is announced on `identity_actor`: the
-- cache of every process empties when the notification arrives (after the commit; PostgreSQL sends one per
-- transaction however many statements notify). New sessions need no announcement (they are not cached yet);
-- neither does the once-a-minute `last_seen_at` touch (the cache refreshes its own copy).
CREATE OR REPLACE FUNCTION identity_actor_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('identity_actor', '');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER identity_sessions_actor_update AFTER UPDATE ON identity_sessions
  FOR EACH ROW WHEN (
    old.token_hash IS DISTINCT FROM new.token_hash OR old.person_id IS DISTINCT FROM new.person_id
    OR old.active_membership_id IS DISTINCT FROM new.active_membership_id OR old.level IS DISTINCT FROM new.level
    OR old.expires_at IS DISTINCT FROM new.expires_at OR old.step_up_at IS DISTINCT FROM new.step_up_at
    OR old.revoked_at IS DISTINCT FROM new.revoked_at
  ) EXECUTE FUNCTION identity_actor_changed();
--> statement-breakpoint
CREATE TRIGGER identity_sessions_actor_delete AFTER DELETE OR TRUNCATE ON identity_sessions
  FOR EACH STATEMENT EXECUTE FUNCTION identity_actor_changed();
--> statement-breakpoint
CREATE TRIGGER identity_people_actor AFTER UPDATE OR DELETE OR TRUNCATE ON identity_people
  FOR EACH STATEMENT EXECUTE FUNCTION identity_actor_changed();
--> statement-breakpoint
CREATE TRIGGER identity_memberships_actor AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON identity_memberships
  FOR EACH STATEMENT EXECUTE FUNCTION identity_actor_changed();
--> statement-breakpoint
CREATE TRIGGER identity_organisations_actor AFTER UPDATE OR DELETE OR TRUNCATE ON identity_organisations
  FOR EACH STATEMENT EXECUTE FUNCTION identity_actor_changed();
--> statement-breakpoint
CREATE TRIGGER identity_passkeys_actor AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON identity_passkeys
  FOR EACH STATEMENT EXECUTE FUNCTION identity_actor_changed();
--> statement-breakpoint
CREATE TRIGGER identity_totp_factors_actor AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON identity_totp_factors
  FOR EACH STATEMENT EXECUTE FUNCTION identity_actor_changed();
--> statement-breakpoint
CREATE TRIGGER identity_settings_actor AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON identity_settings
  FOR EACH STATEMENT EXECUTE FUNCTION identity_actor_changed();
