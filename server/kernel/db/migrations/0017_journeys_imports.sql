CREATE TABLE "journeys_import_chunks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"import_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"sealed" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "journeys_import_chunks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "journeys_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"layout" text NOT NULL,
	"format" text NOT NULL,
	"status" text NOT NULL,
	"mapping" jsonb,
	"bytes" integer DEFAULT 0 NOT NULL,
	"chunks" integer DEFAULT 0 NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"processed_rows" integer DEFAULT 0 NOT NULL,
	"counts" jsonb NOT NULL,
	"report_sealed" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "journeys_imports" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "journeys_import_chunks" ADD CONSTRAINT "journeys_import_chunks_import_id_journeys_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."journeys_imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journeys_imports" ADD CONSTRAINT "journeys_imports_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journeys_imports" ADD CONSTRAINT "journeys_imports_person_id_identity_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_import_chunks_seq_idx" ON "journeys_import_chunks" USING btree ("import_id","seq");--> statement-breakpoint
CREATE INDEX "journeys_imports_person_idx" ON "journeys_imports" USING btree ("person_id","created_at");--> statement-breakpoint
CREATE INDEX "journeys_imports_expiry_idx" ON "journeys_imports" USING btree ("expires_at");--> statement-breakpoint
CREATE POLICY "journeys_import_chunks_contributor" ON "journeys_import_chunks" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "journeys_imports_contributor" ON "journeys_imports" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');