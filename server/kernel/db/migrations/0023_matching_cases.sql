ALTER TABLE "matching_subjects" ADD COLUMN "case_id" uuid;--> statement-breakpoint
ALTER TABLE "matching_subjects" ADD COLUMN "review_on" date;--> statement-breakpoint
CREATE UNIQUE INDEX "matching_subjects_case_idx" ON "matching_subjects" USING btree ("case_id","organisation_id") WHERE "matching_subjects"."case_id" is not null;--> statement-breakpoint
CREATE INDEX "matching_subjects_review_idx" ON "matching_subjects" USING btree ("review_on") WHERE "matching_subjects"."review_on" is not null;