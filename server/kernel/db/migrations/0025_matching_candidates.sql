-- Locality-sensitive band keys of a name's Bloom filter (docs/matching.md "Candidates"): one-permutation min-hashing.
-- The filter's 1024 positions are keyed HMAC outputs, so their natural order is already a random permutation: each
-- of 64 bins of 16 bits gives the position of its first set bit (1–16, 0 when empty); two filters agree on a bin
-- about as often as their sets of bits overlap (Jaccard). Four bins make a band; each of the 16 bands becomes a
-- 32-bit key, hashed with the block (so only names of the same block and key version share keys) and the band's
-- number. matching.blind.ts `nameBands` computes the same keys in the application (tested equal).
CREATE FUNCTION matching_name_bands(block text, filter bit(1024)) RETURNS integer[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ARRAY(
  SELECT ('x' || left(encode(sha256(decode(block || ':' || band || ':' || (
           SELECT string_agg(position('1' in substring(filter from (band * 4 + bin) * 16 + 1 for 16)::text)::text, ','
                             ORDER BY bin)
           FROM generate_series(0, 3) AS bin), 'escape')), 'hex'), 8))::bit(32)::integer
  FROM generate_series(0, 15) AS band
  ORDER BY band);--> statement-breakpoint
DROP INDEX "matching_names_block_idx";--> statement-breakpoint
DROP INDEX "matching_selectors_index_idx";--> statement-breakpoint
DROP INDEX "matching_selectors_organisation_idx";--> statement-breakpoint
ALTER TABLE "matching_names" ADD COLUMN "bands" integer[] GENERATED ALWAYS AS (matching_name_bands(block, filter)) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "matching_names_bands_idx" ON "matching_names" USING gin ("bands") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "matching_subjects_open_idx" ON "matching_subjects" USING btree ("id") WHERE "matching_subjects"."status" = 'open';--> statement-breakpoint
CREATE INDEX "matching_selectors_index_idx" ON "matching_selectors" USING hash ("blind_index");--> statement-breakpoint
CREATE INDEX "matching_selectors_organisation_idx" ON "matching_selectors" USING btree ("organisation_id","subject_id","selector_type","blind_index");