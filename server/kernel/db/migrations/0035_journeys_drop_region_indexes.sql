-- The partial indexes of 0032 served the live member map's reads around one area (journeys.map.ts, removed):
-- the publication reads whole slices through the summary's key. Dropped so every summary write stops paying
-- for them.
DROP INDEX "journeys_flows_region_from_idx";--> statement-breakpoint
DROP INDEX "journeys_flows_region_to_idx";--> statement-breakpoint
DROP INDEX "journeys_hotspots_region_idx";
