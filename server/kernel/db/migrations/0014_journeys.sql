CREATE TABLE "journeys_flows" (
	"level" text NOT NULL,
	"from_area" text NOT NULL,
	"to_area" text NOT NULL,
	"from_country" text NOT NULL,
	"to_country" text NOT NULL,
	"year" smallint NOT NULL,
	"quarter" smallint NOT NULL,
	"exploitation_type" text NOT NULL,
	"industry" text NOT NULL,
	"nationality_band" text NOT NULL,
	"gender_band" text NOT NULL,
	"age_band" text NOT NULL,
	"people" integer NOT NULL,
	"routes" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journeys_hotspots" (
	"level" text NOT NULL,
	"area" text NOT NULL,
	"country" text NOT NULL,
	"role" text NOT NULL,
	"year" smallint NOT NULL,
	"quarter" smallint NOT NULL,
	"exploitation_type" text NOT NULL,
	"industry" text NOT NULL,
	"nationality_band" text NOT NULL,
	"gender_band" text NOT NULL,
	"age_band" text NOT NULL,
	"people" integer NOT NULL,
	"routes" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journeys_legs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"route_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"role" text NOT NULL,
	"place_id" integer,
	"place_name" text,
	"country" text NOT NULL,
	"region" text,
	"border_crossing" boolean DEFAULT false NOT NULL,
	"transport" text
);
--> statement-breakpoint
ALTER TABLE "journeys_legs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "journeys_routes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"contributed_by" uuid,
	"status" text DEFAULT 'pending' NOT NULL,
	"source" text DEFAULT 'form' NOT NULL,
	"case_id" uuid,
	"year" smallint NOT NULL,
	"quarter" smallint,
	"exploitation_types" text[] NOT NULL,
	"industry" text,
	"recruitment_method" text,
	"people" integer NOT NULL,
	"gender_band" text NOT NULL,
	"age_band" text NOT NULL,
	"nationality_band" text NOT NULL,
	"moderator_note_sealed" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "journeys_routes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "journeys_legs" ADD CONSTRAINT "journeys_legs_route_id_journeys_routes_id_fk" FOREIGN KEY ("route_id") REFERENCES "public"."journeys_routes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journeys_routes" ADD CONSTRAINT "journeys_routes_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journeys_routes" ADD CONSTRAINT "journeys_routes_contributed_by_identity_people_id_fk" FOREIGN KEY ("contributed_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journeys_routes" ADD CONSTRAINT "journeys_routes_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journeys_routes" ADD CONSTRAINT "journeys_routes_decided_by_identity_people_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_flows_key_idx" ON "journeys_flows" USING btree ("level","quarter","exploitation_type","industry","nationality_band","gender_band","age_band","year","from_area","to_area");--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_hotspots_key_idx" ON "journeys_hotspots" USING btree ("level","quarter","exploitation_type","industry","nationality_band","gender_band","age_band","year","area","role");--> statement-breakpoint
CREATE UNIQUE INDEX "journeys_legs_route_idx" ON "journeys_legs" USING btree ("route_id","position");--> statement-breakpoint
CREATE INDEX "journeys_routes_organisation_idx" ON "journeys_routes" USING btree ("organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "journeys_routes_queue_idx" ON "journeys_routes" USING btree ("created_at") WHERE "journeys_routes"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "journeys_routes_case_idx" ON "journeys_routes" USING btree ("case_id") WHERE "journeys_routes"."case_id" is not null;--> statement-breakpoint
CREATE POLICY "journeys_legs_contributor" ON "journeys_legs" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "journeys_routes_contributor" ON "journeys_routes" AS PERMISSIVE FOR ALL TO "cairn_app" USING (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK (organisation_id = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');