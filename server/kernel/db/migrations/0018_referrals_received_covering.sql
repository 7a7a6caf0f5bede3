-- The received box (referrals.lists.ts) picks a page's ids from this index alone: it carries the sender (the
-- parties rule reads it), the state and the acknowledgement due date (the box's filters), so PostgreSQL walks
-- it in order with an index-only scan instead of reading every referral the organisation received.
-- drizzle-kit does not model INCLUDE: the index's columns and condition stay as referrals.tables.ts declares them.
DROP INDEX IF EXISTS "referrals_referrals_received_list_idx";--> statement-breakpoint
CREATE INDEX "referrals_referrals_received_list_idx" ON "referrals_referrals" USING btree ("recipient_organisation_id","updated_at" DESC NULLS LAST,"id" DESC NULLS LAST) INCLUDE ("sender_organisation_id","state","acknowledge_due_at") WHERE "referrals_referrals"."sent_at" is not null;
