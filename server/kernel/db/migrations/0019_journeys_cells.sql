CREATE INDEX "journeys_flows_empty_idx" ON "journeys_flows" USING btree ("level") WHERE "journeys_flows"."routes" <= 0;--> statement-breakpoint
CREATE INDEX "journeys_hotspots_empty_idx" ON "journeys_hotspots" USING btree ("level") WHERE "journeys_hotspots"."routes" <= 0;--> statement-breakpoint
-- The summary tables no longer hold a cube of the four band filters (journeys.aggregates.ts): the cells of the
-- slices with one or two of them rolled up to '*' are read by nothing and updated by nothing any more.
DELETE FROM "journeys_flows" WHERE ("industry" = '*')::int + ("nationality_band" = '*')::int + ("gender_band" = '*')::int + ("age_band" = '*')::int IN (1, 2);--> statement-breakpoint
DELETE FROM "journeys_hotspots" WHERE ("industry" = '*')::int + ("nationality_band" = '*')::int + ("gender_band" = '*')::int + ("age_band" = '*')::int IN (1, 2);
