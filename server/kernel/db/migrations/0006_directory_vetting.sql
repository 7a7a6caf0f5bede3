-- The directory's search rows follow vetting in the same transaction as the change: a suspended organisation
-- disappears from search, a reinstated one comes back, and a new tier ranks at once. Search then never
-- needs to join identity's table. (Names do not change after vetting; a rename would rebuild the rows.)
CREATE OR REPLACE FUNCTION directory_follow_vetting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE directory_search_entries
     SET active = (NEW.status = 'active'), tier = NEW.tier
   WHERE organisation_id = NEW.id;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER directory_follow_vetting
  AFTER UPDATE OF status, tier ON identity_organisations
  FOR EACH ROW
  WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.tier IS DISTINCT FROM OLD.tier)
  EXECUTE FUNCTION directory_follow_vetting();
--> statement-breakpoint
-- Every process keeps the search rows in memory (directory.search.index.ts); this tells them, after commit,
-- which organisation's rows changed. PostgreSQL folds identical notifications of one transaction into one.
CREATE OR REPLACE FUNCTION directory_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('directory_search', COALESCE(NEW.organisation_id, OLD.organisation_id)::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER directory_search_changed
  AFTER INSERT OR UPDATE OR DELETE ON directory_search_entries
  FOR EACH ROW EXECUTE FUNCTION directory_search_changed();
