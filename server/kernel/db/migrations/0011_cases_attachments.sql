CREATE TABLE "cases_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"media_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"storage_key" text NOT NULL,
	"key_sealed" text NOT NULL,
	"name_sealed" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases_attachments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "cases_attachments" ADD CONSTRAINT "cases_attachments_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_attachments" ADD CONSTRAINT "cases_attachments_created_by_identity_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cases_attachments_case_idx" ON "cases_attachments" USING btree ("case_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "cases_attachments_storage_key_idx" ON "cases_attachments" USING btree ("storage_key");--> statement-breakpoint
CREATE POLICY "cases_attachments_tenant" ON "cases_attachments" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);