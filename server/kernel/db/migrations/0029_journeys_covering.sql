-- The journey map reads its cells from the summary tables' key indexes alone (journeys.map.ts): each carries the
-- columns a map query returns besides its key (the countries of a flow's ends and the people; a hotspot's country
-- and people), so a slice over a year range is an index-only scan of a few contiguous pages instead of one heap
-- page per cell (the rebuild writes cells in no useful order, so a slice's cells sit on as many pages as it has
-- cells). They stay the tables' unique keys and the upserts' conflict targets.
-- drizzle-kit does not model INCLUDE: the indexes' columns stay as journeys.tables.ts declares them.
DROP INDEX IF EXISTS "journeys_flows_key_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_flows_key_idx" ON "journeys_flows" USING btree ("level","quarter","exploitation_type","industry","nationality_band","gender_band","age_band","year","from_area","to_area") INCLUDE ("from_country","to_country","people");--> statement-breakpoint
DROP INDEX IF EXISTS "journeys_hotspots_key_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_hotspots_key_idx" ON "journeys_hotspots" USING btree ("level","quarter","exploitation_type","industry","nationality_band","gender_band","age_band","year","area","role") INCLUDE ("country","people");
