-- The map's summary keeps two band filters, industry and nationality, instead of four, and regions only in the
-- slice without a band filter (journeys.aggregates.ts, decision 0011). At 200,000 routes the one-filter slices
-- of the four bands held 5.09M of 8.96M flow cells, most of them region cells under k.
-- The cells are rewritten here rather than rebuilt: the new exact cells (industry × nationality, at country and
-- world level) are the old exact cells summed over gender and age (each contribution has one of each); the
-- slices of a gender or an age band, and the region cells of every band slice, go; then the two columns.
-- drizzle-kit does not model INCLUDE: the indexes' columns stay as journeys.tables.ts declares them.
DROP INDEX IF EXISTS "journeys_flows_key_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "journeys_hotspots_key_idx";--> statement-breakpoint
INSERT INTO "journeys_flows" ("level", "from_area", "to_area", "from_country", "to_country", "year", "quarter", "exploitation_type", "industry", "nationality_band", "gender_band", "age_band", "people", "routes") SELECT "level", "from_area", "to_area", "from_country", "to_country", "year", "quarter", "exploitation_type", "industry", "nationality_band", '*', '*', sum("people")::int, sum("routes")::int FROM "journeys_flows" WHERE "level" <> 'region' AND "industry" <> '*' AND "nationality_band" <> '*' AND "gender_band" <> '*' AND "age_band" <> '*' GROUP BY "level", "from_area", "to_area", "from_country", "to_country", "year", "quarter", "exploitation_type", "industry", "nationality_band";--> statement-breakpoint
INSERT INTO "journeys_hotspots" ("level", "area", "country", "role", "year", "quarter", "exploitation_type", "industry", "nationality_band", "gender_band", "age_band", "people", "routes") SELECT "level", "area", "country", "role", "year", "quarter", "exploitation_type", "industry", "nationality_band", '*', '*', sum("people")::int, sum("routes")::int FROM "journeys_hotspots" WHERE "level" <> 'region' AND "industry" <> '*' AND "nationality_band" <> '*' AND "gender_band" <> '*' AND "age_band" <> '*' GROUP BY "level", "area", "country", "role", "year", "quarter", "exploitation_type", "industry", "nationality_band";--> statement-breakpoint
DELETE FROM "journeys_flows" WHERE "gender_band" <> '*' OR "age_band" <> '*' OR ("level" = 'region' AND ("industry" <> '*' OR "nationality_band" <> '*'));--> statement-breakpoint
DELETE FROM "journeys_hotspots" WHERE "gender_band" <> '*' OR "age_band" <> '*' OR ("level" = 'region' AND ("industry" <> '*' OR "nationality_band" <> '*'));--> statement-breakpoint
ALTER TABLE "journeys_flows" DROP COLUMN "gender_band", DROP COLUMN "age_band";--> statement-breakpoint
ALTER TABLE "journeys_hotspots" DROP COLUMN "gender_band", DROP COLUMN "age_band";--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_flows_key_idx" ON "journeys_flows" USING btree ("level","quarter","exploitation_type","industry","nationality_band","year","from_area","to_area") INCLUDE ("from_country","to_country","people");--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_hotspots_key_idx" ON "journeys_hotspots" USING btree ("level","quarter","exploitation_type","industry","nationality_band","year","area","role") INCLUDE ("country","people");
