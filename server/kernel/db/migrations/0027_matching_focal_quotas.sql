CREATE TABLE "matching_quota_overrides" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"lookups_per_person" integer,
	"lookups_per_organisation" integer,
	"reason" text NOT NULL,
	"set_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "matching_quota_overrides" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "matching_settings" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"focal_person_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "matching_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "matching_lookups" ADD COLUMN "spike" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "matching_quota_overrides" ADD CONSTRAINT "matching_quota_overrides_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_quota_overrides" ADD CONSTRAINT "matching_quota_overrides_set_by_identity_people_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_settings" ADD CONSTRAINT "matching_settings_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "matching_settings" ADD CONSTRAINT "matching_settings_focal_person_id_identity_people_id_fk" FOREIGN KEY ("focal_person_id") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE POLICY "matching_quota_overrides_read" ON "matching_quota_overrides" AS PERMISSIVE FOR SELECT TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "matching_quota_overrides_write" ON "matching_quota_overrides" AS PERMISSIVE FOR ALL TO "cairn_app" USING (current_setting('cairn.scope', true) = 'platform') WITH CHECK (current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "matching_settings_tenant" ON "matching_settings" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');