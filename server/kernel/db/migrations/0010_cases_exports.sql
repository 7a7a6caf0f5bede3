CREATE TABLE "cases_export_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"requested_by" uuid NOT NULL,
	"scope" text NOT NULL,
	"case_ids" uuid[] NOT NULL,
	"format" text NOT NULL,
	"include_identifying" boolean NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"downloaded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases_export_requests" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "cases_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"status" text NOT NULL,
	"format" text NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"processed_rows" integer DEFAULT 0 NOT NULL,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"payload_sealed" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases_imports" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "cases_export_requests" ADD CONSTRAINT "cases_export_requests_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_export_requests" ADD CONSTRAINT "cases_export_requests_requested_by_identity_people_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_export_requests" ADD CONSTRAINT "cases_export_requests_decided_by_identity_people_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_imports" ADD CONSTRAINT "cases_imports_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_imports" ADD CONSTRAINT "cases_imports_person_id_identity_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cases_export_requests_org_idx" ON "cases_export_requests" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "cases_imports_person_idx" ON "cases_imports" USING btree ("person_id","created_at");--> statement-breakpoint
CREATE POLICY "cases_export_requests_tenant" ON "cases_export_requests" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "cases_imports_tenant" ON "cases_imports" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);