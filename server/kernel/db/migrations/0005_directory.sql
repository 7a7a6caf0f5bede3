CREATE TABLE "directory_contact_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"from_person_id" uuid NOT NULL,
	"from_organisation_id" uuid,
	"to_person_id" uuid NOT NULL,
	"body" text NOT NULL,
	"read_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"status" text NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"processed_rows" integer DEFAULT 0 NOT NULL,
	"report" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rows" jsonb,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_offices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"label" text NOT NULL,
	"place_name" text NOT NULL,
	"country" text NOT NULL,
	"region" text,
	"latitude" double precision NOT NULL,
	"longitude" double precision NOT NULL,
	"street" text,
	"postal_code" text,
	"phone" text,
	"is_main" boolean DEFAULT false NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_partners" (
	"organisation_id" uuid NOT NULL,
	"partner_organisation_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_partners_organisation_id_partner_organisation_id_pk" PRIMARY KEY("organisation_id","partner_organisation_id")
);
--> statement-breakpoint
CREATE TABLE "directory_people" (
	"person_id" uuid PRIMARY KEY NOT NULL,
	"organisation_id" uuid NOT NULL,
	"published" boolean DEFAULT false NOT NULL,
	"job_title" text DEFAULT '' NOT NULL,
	"bio" text DEFAULT '' NOT NULL,
	"expertise" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"countries" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_profiles" (
	"organisation_id" uuid PRIMARY KEY NOT NULL,
	"other_names" text[] DEFAULT '{}'::text[] NOT NULL,
	"descriptions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"focus" text[] DEFAULT '{}'::text[] NOT NULL,
	"services" text[] DEFAULT '{}'::text[] NOT NULL,
	"populations" text[] DEFAULT '{}'::text[] NOT NULL,
	"exploitation_types" text[] DEFAULT '{}'::text[] NOT NULL,
	"industries" text[] DEFAULT '{}'::text[] NOT NULL,
	"countries" text[] DEFAULT '{}'::text[] NOT NULL,
	"regions" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"hotlines" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"networks" text[] DEFAULT '{}'::text[] NOT NULL,
	"website" text,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"visibility" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"listed" boolean DEFAULT true NOT NULL,
	"hide_exact_location" boolean DEFAULT false NOT NULL,
	"updated_by_person_id" uuid,
	"stale_nudged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_search_entries" (
	"organisation_id" uuid NOT NULL,
	"audience" text NOT NULL,
	"active" boolean NOT NULL,
	"tier" text,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"names_folded" text NOT NULL,
	"document" "tsvector" NOT NULL,
	"tags" text[] NOT NULL,
	"countries" text[] NOT NULL,
	"regions" text[] NOT NULL,
	"summaries" jsonb NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "directory_search_entries_audience_organisation_id_pk" PRIMARY KEY("audience","organisation_id")
);
--> statement-breakpoint
CREATE TABLE "directory_support_recipients" (
	"request_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"requester_organisation_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decline_reason" text,
	"decline_note" text,
	"responded_at" timestamp with time zone,
	"responder_person_id" uuid,
	"score" integer DEFAULT 0 NOT NULL,
	"reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "directory_support_recipients_request_id_organisation_id_pk" PRIMARY KEY("request_id","organisation_id")
);
--> statement-breakpoint
ALTER TABLE "directory_support_recipients" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "directory_support_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"requester_person_id" uuid,
	"country" text NOT NULL,
	"region" text,
	"place_name" text,
	"latitude" double precision,
	"longitude" double precision,
	"services" text[] NOT NULL,
	"populations" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"gender" text NOT NULL,
	"age_band" text NOT NULL,
	"exploitation_types" text[] DEFAULT '{}'::text[] NOT NULL,
	"urgency" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"accepted_organisation_id" uuid,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "directory_support_requests" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "directory_contact_messages" ADD CONSTRAINT "directory_contact_messages_from_person_id_identity_people_id_fk" FOREIGN KEY ("from_person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_contact_messages" ADD CONSTRAINT "directory_contact_messages_from_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("from_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_contact_messages" ADD CONSTRAINT "directory_contact_messages_to_person_id_identity_people_id_fk" FOREIGN KEY ("to_person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_imports" ADD CONSTRAINT "directory_imports_person_id_identity_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_offices" ADD CONSTRAINT "directory_offices_organisation_id_directory_profiles_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."directory_profiles"("organisation_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_partners" ADD CONSTRAINT "directory_partners_organisation_id_directory_profiles_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."directory_profiles"("organisation_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_partners" ADD CONSTRAINT "directory_partners_partner_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("partner_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_people" ADD CONSTRAINT "directory_people_person_id_identity_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_people" ADD CONSTRAINT "directory_people_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_profiles" ADD CONSTRAINT "directory_profiles_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_profiles" ADD CONSTRAINT "directory_profiles_updated_by_person_id_identity_people_id_fk" FOREIGN KEY ("updated_by_person_id") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_search_entries" ADD CONSTRAINT "directory_search_entries_organisation_id_directory_profiles_organisation_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."directory_profiles"("organisation_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_support_recipients" ADD CONSTRAINT "directory_support_recipients_request_id_directory_support_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."directory_support_requests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_support_recipients" ADD CONSTRAINT "directory_support_recipients_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_support_recipients" ADD CONSTRAINT "directory_support_recipients_requester_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("requester_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_support_recipients" ADD CONSTRAINT "directory_support_recipients_responder_person_id_identity_people_id_fk" FOREIGN KEY ("responder_person_id") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_support_requests" ADD CONSTRAINT "directory_support_requests_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_support_requests" ADD CONSTRAINT "directory_support_requests_requester_person_id_identity_people_id_fk" FOREIGN KEY ("requester_person_id") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_support_requests" ADD CONSTRAINT "directory_support_requests_accepted_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("accepted_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "directory_contact_to_idx" ON "directory_contact_messages" USING btree ("to_person_id","created_at");--> statement-breakpoint
CREATE INDEX "directory_contact_from_idx" ON "directory_contact_messages" USING btree ("from_person_id","created_at");--> statement-breakpoint
CREATE INDEX "directory_imports_person_idx" ON "directory_imports" USING btree ("person_id","created_at");--> statement-breakpoint
CREATE INDEX "directory_offices_org_idx" ON "directory_offices" USING btree ("organisation_id","position");--> statement-breakpoint
CREATE INDEX "directory_partners_partner_idx" ON "directory_partners" USING btree ("partner_organisation_id");--> statement-breakpoint
CREATE INDEX "directory_profiles_updated_idx" ON "directory_profiles" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "directory_search_tags_idx" ON "directory_search_entries" USING gin ("tags");--> statement-breakpoint
CREATE INDEX "directory_search_names_idx" ON "directory_search_entries" USING gin ("names_folded" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "directory_search_document_idx" ON "directory_search_entries" USING gin ("document");--> statement-breakpoint
CREATE INDEX "directory_support_recipients_org_idx" ON "directory_support_recipients" USING btree ("organisation_id","status");--> statement-breakpoint
CREATE INDEX "directory_support_requests_org_idx" ON "directory_support_requests" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "directory_support_requests_status_idx" ON "directory_support_requests" USING btree ("status","country");--> statement-breakpoint
CREATE POLICY "directory_support_recipients_visible" ON "directory_support_recipients" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid
        or current_setting('cairn.scope', true) = 'platform'
        or requester_organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "directory_support_requests_visible" ON "directory_support_requests" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid
        or current_setting('cairn.scope', true) = 'platform'
        or exists (select 1 from directory_support_recipients r where r.request_id = id
          and r.organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid));