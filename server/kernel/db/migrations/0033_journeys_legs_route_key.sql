-- A route's legs are keyed by (route, position), which was already unique: the leg's own id, never read, goes
-- with its index. The declared foreign key to the route goes too. PostgreSQL checks a foreign key once per row
-- (a query and a lock per leg), which was about half of a million-route import's writing (docs/decisions/
-- 0011-journeys.md). The triggers below keep what it guaranteed, once per statement over the statement's rows.
ALTER TABLE "journeys_legs" DROP CONSTRAINT "journeys_legs_route_id_journeys_routes_id_fk";
--> statement-breakpoint
ALTER TABLE "journeys_legs" DROP CONSTRAINT "journeys_legs_pkey";
--> statement-breakpoint
ALTER TABLE "journeys_legs" DROP COLUMN "id";
--> statement-breakpoint
ALTER TABLE "journeys_legs" ADD CONSTRAINT "journeys_legs_pkey" PRIMARY KEY USING INDEX "journeys_legs_route_idx";
--> statement-breakpoint
-- Every leg a statement writes names an existing route of the leg's own organisation. Each route is locked
-- (FOR KEY SHARE, as the foreign key's check did), so none can be deleted before the writing transaction ends.
-- The route is looked up by a subquery per (route, organisation) pair, which the planner cannot turn into a join:
-- PL/pgSQL keeps a statement's plan for the connection's life, and a join planned while the routes table was small
-- (an import's first batch) would scan the whole table for every later batch.
CREATE FUNCTION journeys_legs_check_route() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF EXISTS (
    SELECT FROM (SELECT DISTINCT route_id, organisation_id FROM written) w
    WHERE (SELECT r.organisation_id FROM journeys_routes r WHERE r.id = w.route_id FOR KEY SHARE)
      IS DISTINCT FROM w.organisation_id
  ) THEN
    RAISE EXCEPTION 'a journey leg names no route of its organisation' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER journeys_legs_inserted_check_route AFTER INSERT ON journeys_legs
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION journeys_legs_check_route();
--> statement-breakpoint
CREATE TRIGGER journeys_legs_updated_check_route AFTER UPDATE ON journeys_legs
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION journeys_legs_check_route();
--> statement-breakpoint
-- A deleted route takes its legs with it, as the key's ON DELETE CASCADE did. The ids go as one array, so the
-- legs are found through their key whatever plan was kept (see above).
CREATE FUNCTION journeys_routes_drop_legs() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM journeys_legs WHERE route_id = ANY (ARRAY(SELECT id FROM gone));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER journeys_routes_drop_legs AFTER DELETE ON journeys_routes
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION journeys_routes_drop_legs();
--> statement-breakpoint
-- A route's id never changes (the key refused to change one its legs named).
CREATE FUNCTION journeys_routes_keep_id() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'a journey route''s id does not change' USING ERRCODE = 'foreign_key_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER journeys_routes_keep_id BEFORE UPDATE OF id ON journeys_routes
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION journeys_routes_keep_id();
