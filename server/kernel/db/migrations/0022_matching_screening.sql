CREATE TABLE "matching_lookups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"selector_types" text[] NOT NULL,
	"hits" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "matching_lookups" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "matching_matches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"selector_type" text NOT NULL,
	"score" real,
	"low_subject_id" uuid NOT NULL,
	"low_organisation_id" uuid NOT NULL,
	"high_subject_id" uuid NOT NULL,
	"high_organisation_id" uuid NOT NULL,
	"low_status" text DEFAULT 'new' NOT NULL,
	"high_status" text DEFAULT 'new' NOT NULL,
	"low_agreed_at" timestamp with time zone,
	"high_agreed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "matching_matches" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "matching_names" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"key_version" integer NOT NULL,
	"block" text NOT NULL,
	"filter" bit(1024) NOT NULL,
	"ones" smallint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "matching_names" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "matching_participation" (
	"organisation_id" uuid NOT NULL,
	"selector_type" text NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "matching_participation_organisation_id_selector_type_pk" PRIMARY KEY("organisation_id","selector_type")
);
--> statement-breakpoint
ALTER TABLE "matching_participation" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "matching_selectors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"subject_id" uuid NOT NULL,
	"selector_type" text NOT NULL,
	"blind_index" text NOT NULL,
	"selector_sealed" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "matching_selectors" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "matching_subjects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"title_sealed" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"country" text,
	"region" text,
	"window_start" date,
	"window_end" date,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "matching_subjects" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "matching_lookups" ADD CONSTRAINT "matching_lookups_person_id_identity_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_matches" ADD CONSTRAINT "matching_matches_low_subject_id_matching_subjects_id_fk" FOREIGN KEY ("low_subject_id") REFERENCES "public"."matching_subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_matches" ADD CONSTRAINT "matching_matches_high_subject_id_matching_subjects_id_fk" FOREIGN KEY ("high_subject_id") REFERENCES "public"."matching_subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_names" ADD CONSTRAINT "matching_names_subject_id_matching_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."matching_subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_participation" ADD CONSTRAINT "matching_participation_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_selectors" ADD CONSTRAINT "matching_selectors_subject_id_matching_subjects_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."matching_subjects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_subjects" ADD CONSTRAINT "matching_subjects_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_subjects" ADD CONSTRAINT "matching_subjects_created_by_identity_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "matching_lookups_organisation_idx" ON "matching_lookups" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "matching_lookups_person_idx" ON "matching_lookups" USING btree ("person_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "matching_matches_pair_idx" ON "matching_matches" USING btree ("low_subject_id","high_subject_id","selector_type");--> statement-breakpoint
CREATE INDEX "matching_matches_low_idx" ON "matching_matches" USING btree ("low_organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "matching_matches_high_idx" ON "matching_matches" USING btree ("high_organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "matching_names_block_idx" ON "matching_names" USING btree ("block");--> statement-breakpoint
CREATE INDEX "matching_names_subject_idx" ON "matching_names" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "matching_names_organisation_idx" ON "matching_names" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "matching_selectors_index_idx" ON "matching_selectors" USING btree ("blind_index");--> statement-breakpoint
CREATE INDEX "matching_selectors_subject_idx" ON "matching_selectors" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "matching_selectors_organisation_idx" ON "matching_selectors" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "matching_subjects_organisation_idx" ON "matching_subjects" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "matching_subjects_place_idx" ON "matching_subjects" USING btree ("country","window_start") WHERE "matching_subjects"."status" = 'open' and "matching_subjects"."country" is not null;--> statement-breakpoint
CREATE POLICY "matching_lookups_tenant" ON "matching_lookups" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "matching_matches_party" ON "matching_matches" AS PERMISSIVE FOR ALL TO "cairn_app" USING (low_organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or high_organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (low_organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or high_organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "matching_names_tenant" ON "matching_names" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "matching_participation_tenant" ON "matching_participation" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "matching_selectors_tenant" ON "matching_selectors" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "matching_subjects_tenant" ON "matching_subjects" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');