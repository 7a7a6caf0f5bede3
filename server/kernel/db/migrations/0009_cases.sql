CREATE TABLE "cases_assignments" (
	"case_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"membership_id" uuid NOT NULL,
	"primary" boolean DEFAULT false NOT NULL,
	"assigned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cases_assignments_case_id_membership_id_pk" PRIMARY KEY("case_id","membership_id")
);
--> statement-breakpoint
ALTER TABLE "cases_assignments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "cases_break_glass" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"reason_sealed" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases_break_glass" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "cases_consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"recipient_organisation_id" uuid,
	"sections" text[] NOT NULL,
	"given_on" date NOT NULL,
	"expires_on" date,
	"recorded_by" uuid,
	"note_sealed" text,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases_consents" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "cases_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sealed" text,
	"due_on" date,
	"done_at" timestamp with time zone,
	"assignee_id" uuid,
	"reminded_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases_entries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "cases_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"reference" text NOT NULL,
	"status" text DEFAULT 'Active' NOT NULL,
	"draft" boolean DEFAULT false NOT NULL,
	"restricted" boolean DEFAULT false NOT NULL,
	"identity_sealed" text,
	"contact_sealed" text,
	"documents_sealed" text,
	"narrative_sealed" text,
	"profile" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"victim" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"opened_on" date NOT NULL,
	"closed_on" date,
	"closure_requested_by" uuid,
	"closure_requested_at" timestamp with time zone,
	"closure_status" text,
	"closure_reason_sealed" text,
	"created_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases_files" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "cases_lookup" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value_sealed" text NOT NULL,
	"digest" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cases_lookup" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "cases_restricted_staff" (
	"case_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"membership_id" uuid NOT NULL,
	CONSTRAINT "cases_restricted_staff_case_id_membership_id_pk" PRIMARY KEY("case_id","membership_id")
);
--> statement-breakpoint
ALTER TABLE "cases_restricted_staff" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "cases_assignments" ADD CONSTRAINT "cases_assignments_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_assignments" ADD CONSTRAINT "cases_assignments_membership_id_identity_memberships_id_fk" FOREIGN KEY ("membership_id") REFERENCES "public"."identity_memberships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_break_glass" ADD CONSTRAINT "cases_break_glass_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_break_glass" ADD CONSTRAINT "cases_break_glass_person_id_identity_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_consents" ADD CONSTRAINT "cases_consents_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_consents" ADD CONSTRAINT "cases_consents_recipient_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("recipient_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_consents" ADD CONSTRAINT "cases_consents_recorded_by_identity_people_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_consents" ADD CONSTRAINT "cases_consents_revoked_by_identity_people_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_entries" ADD CONSTRAINT "cases_entries_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_entries" ADD CONSTRAINT "cases_entries_assignee_id_identity_people_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_entries" ADD CONSTRAINT "cases_entries_created_by_identity_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_files" ADD CONSTRAINT "cases_files_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_files" ADD CONSTRAINT "cases_files_closure_requested_by_identity_people_id_fk" FOREIGN KEY ("closure_requested_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_files" ADD CONSTRAINT "cases_files_created_by_identity_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_lookup" ADD CONSTRAINT "cases_lookup_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_restricted_staff" ADD CONSTRAINT "cases_restricted_staff_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases_restricted_staff" ADD CONSTRAINT "cases_restricted_staff_membership_id_identity_memberships_id_fk" FOREIGN KEY ("membership_id") REFERENCES "public"."identity_memberships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cases_assignments_membership_idx" ON "cases_assignments" USING btree ("membership_id");--> statement-breakpoint
CREATE INDEX "cases_break_glass_case_idx" ON "cases_break_glass" USING btree ("case_id","person_id","expires_at");--> statement-breakpoint
CREATE INDEX "cases_consents_case_idx" ON "cases_consents" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "cases_entries_case_idx" ON "cases_entries" USING btree ("case_id","kind","created_at");--> statement-breakpoint
CREATE INDEX "cases_entries_due_idx" ON "cases_entries" USING btree ("organisation_id","due_on") WHERE done_at is null and due_on is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "cases_files_reference_idx" ON "cases_files" USING btree ("organisation_id","reference");--> statement-breakpoint
CREATE INDEX "cases_files_updated_idx" ON "cases_files" USING btree ("organisation_id","updated_at");--> statement-breakpoint
CREATE INDEX "cases_lookup_case_idx" ON "cases_lookup" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "cases_lookup_digest_idx" ON "cases_lookup" USING btree ("organisation_id","digest");--> statement-breakpoint
CREATE POLICY "cases_assignments_tenant" ON "cases_assignments" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "cases_break_glass_tenant" ON "cases_break_glass" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "cases_consents_tenant" ON "cases_consents" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "cases_entries_tenant" ON "cases_entries" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "cases_files_tenant" ON "cases_files" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "cases_lookup_tenant" ON "cases_lookup" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "cases_restricted_staff_tenant" ON "cases_restricted_staff" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid) WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
-- SECURITY: the hourly follow-up reminder sweep must find which organisations have a follow-up due without
-- lifting the tenant wall of the case tables (they have no platform scope at all). This function answers
-- only organisation ids; the sweep then works inside each organisation's own tenant scope.
CREATE FUNCTION cases_due_follow_up_organisations(due_by date) RETURNS SETOF uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT organisation_id FROM cases_entries
  WHERE kind = 'followUp' AND done_at IS NULL AND reminded_at IS NULL AND due_on <= due_by
    AND assignee_id IS NOT NULL
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION cases_due_follow_up_organisations(date) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION cases_due_follow_up_organisations(date) TO cairn_app;
