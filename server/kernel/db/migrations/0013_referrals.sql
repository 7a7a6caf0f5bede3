CREATE TABLE "referrals_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"thread_id" uuid NOT NULL,
	"party_organisation_ids" uuid[] NOT NULL,
	"author_organisation_id" uuid NOT NULL,
	"author_person_id" uuid,
	"body_sealed" text NOT NULL,
	"mentions" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"attachment_sealed" text,
	"attachment_storage_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "referrals_messages" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "referrals_reads" (
	"thread_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"party_organisation_ids" uuid[] NOT NULL,
	"read_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "referrals_reads_thread_id_person_id_pk" PRIMARY KEY("thread_id","person_id")
);
--> statement-breakpoint
ALTER TABLE "referrals_reads" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "referrals_referrals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"sender_organisation_id" uuid NOT NULL,
	"recipient_organisation_id" uuid NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"services" text[] NOT NULL,
	"sections" text[] NOT NULL,
	"override_sections" text[] DEFAULT '{}'::text[] NOT NULL,
	"override_by" uuid,
	"override_at" timestamp with time zone,
	"override_reason_sealed" text,
	"note_sealed" text,
	"urgency" text DEFAULT 'normal' NOT NULL,
	"acknowledge_within_hours" integer DEFAULT 48 NOT NULL,
	"acknowledge_due_at" timestamp with time zone,
	"reminder_sent_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"new_partner_confirmed" boolean DEFAULT false NOT NULL,
	"support_request_id" uuid,
	"created_by" uuid,
	"recipient_person_id" uuid,
	"sent_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"decided_at" timestamp with time zone,
	"decline_reason_sealed" text,
	"started_at" timestamp with time zone,
	"outcome" text,
	"outcome_note_sealed" text,
	"ended_at" timestamp with time zone,
	"cancelled_by" text,
	"cancel_reason_sealed" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "referrals_referrals" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "referrals_threads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"party_organisation_ids" uuid[] NOT NULL,
	"last_message_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "referrals_threads" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "referrals_transfers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"sender_organisation_id" uuid NOT NULL,
	"recipient_organisation_id" uuid NOT NULL,
	"state" text DEFAULT 'requested' NOT NULL,
	"sender_reference" text NOT NULL,
	"keep_record" boolean DEFAULT false NOT NULL,
	"note_sealed" text,
	"requested_by" uuid,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"reason_sealed" text,
	"record_sealed" text,
	"new_partner_confirmed" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "referrals_transfers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "referrals_transitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"sender_organisation_id" uuid NOT NULL,
	"recipient_organisation_id" uuid NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"by_organisation_id" uuid,
	"by_person_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "referrals_transitions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "referrals_messages" ADD CONSTRAINT "referrals_messages_thread_id_referrals_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."referrals_threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_messages" ADD CONSTRAINT "referrals_messages_author_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("author_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_messages" ADD CONSTRAINT "referrals_messages_author_person_id_identity_people_id_fk" FOREIGN KEY ("author_person_id") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_reads" ADD CONSTRAINT "referrals_reads_thread_id_referrals_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."referrals_threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_reads" ADD CONSTRAINT "referrals_reads_person_id_identity_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."identity_people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_referrals" ADD CONSTRAINT "referrals_referrals_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_referrals" ADD CONSTRAINT "referrals_referrals_sender_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("sender_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_referrals" ADD CONSTRAINT "referrals_referrals_recipient_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("recipient_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_referrals" ADD CONSTRAINT "referrals_referrals_override_by_identity_people_id_fk" FOREIGN KEY ("override_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_referrals" ADD CONSTRAINT "referrals_referrals_support_request_id_directory_support_requests_id_fk" FOREIGN KEY ("support_request_id") REFERENCES "public"."directory_support_requests"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_referrals" ADD CONSTRAINT "referrals_referrals_created_by_identity_people_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_referrals" ADD CONSTRAINT "referrals_referrals_recipient_person_id_identity_people_id_fk" FOREIGN KEY ("recipient_person_id") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_transfers" ADD CONSTRAINT "referrals_transfers_case_id_cases_files_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases_files"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_transfers" ADD CONSTRAINT "referrals_transfers_sender_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("sender_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_transfers" ADD CONSTRAINT "referrals_transfers_recipient_organisation_id_identity_organisations_id_fk" FOREIGN KEY ("recipient_organisation_id") REFERENCES "public"."identity_organisations"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_transfers" ADD CONSTRAINT "referrals_transfers_requested_by_identity_people_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_transfers" ADD CONSTRAINT "referrals_transfers_decided_by_identity_people_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals_transitions" ADD CONSTRAINT "referrals_transitions_by_person_id_identity_people_id_fk" FOREIGN KEY ("by_person_id") REFERENCES "public"."identity_people"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "referrals_messages_thread_idx" ON "referrals_messages" USING btree ("thread_id","created_at");--> statement-breakpoint
CREATE INDEX "referrals_referrals_sender_idx" ON "referrals_referrals" USING btree ("sender_organisation_id","state","updated_at");--> statement-breakpoint
CREATE INDEX "referrals_referrals_recipient_idx" ON "referrals_referrals" USING btree ("recipient_organisation_id","state","updated_at");--> statement-breakpoint
CREATE INDEX "referrals_referrals_case_idx" ON "referrals_referrals" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "referrals_referrals_due_idx" ON "referrals_referrals" USING btree ("acknowledge_due_at") WHERE "referrals_referrals"."state" = 'sent';--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_threads_subject_idx" ON "referrals_threads" USING btree ("subject_kind","subject_id","party_organisation_ids");--> statement-breakpoint
CREATE INDEX "referrals_transfers_sender_idx" ON "referrals_transfers" USING btree ("sender_organisation_id","state","updated_at");--> statement-breakpoint
CREATE INDEX "referrals_transfers_recipient_idx" ON "referrals_transfers" USING btree ("recipient_organisation_id","state","updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "referrals_transfers_open_idx" ON "referrals_transfers" USING btree ("case_id") WHERE "referrals_transfers"."state" = 'requested';--> statement-breakpoint
CREATE INDEX "referrals_transitions_subject_idx" ON "referrals_transitions" USING btree ("subject_id","at");--> statement-breakpoint
CREATE POLICY "referrals_messages_parties" ON "referrals_messages" AS PERMISSIVE FOR ALL TO "cairn_app" USING (nullif(current_setting('cairn.organisation_id', true), '')::uuid = any(party_organisation_ids) or current_setting('cairn.scope', true) = 'platform') WITH CHECK (nullif(current_setting('cairn.organisation_id', true), '')::uuid = any(party_organisation_ids) or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "referrals_reads_parties" ON "referrals_reads" AS PERMISSIVE FOR ALL TO "cairn_app" USING (nullif(current_setting('cairn.organisation_id', true), '')::uuid = any(party_organisation_ids) or current_setting('cairn.scope', true) = 'platform') WITH CHECK (nullif(current_setting('cairn.organisation_id', true), '')::uuid = any(party_organisation_ids) or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "referrals_referrals_parties" ON "referrals_referrals" AS PERMISSIVE FOR ALL TO "cairn_app" USING ("sender_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or "recipient_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK ("sender_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or "recipient_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "referrals_threads_parties" ON "referrals_threads" AS PERMISSIVE FOR ALL TO "cairn_app" USING (nullif(current_setting('cairn.organisation_id', true), '')::uuid = any(party_organisation_ids) or current_setting('cairn.scope', true) = 'platform') WITH CHECK (nullif(current_setting('cairn.organisation_id', true), '')::uuid = any(party_organisation_ids) or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "referrals_transfers_parties" ON "referrals_transfers" AS PERMISSIVE FOR ALL TO "cairn_app" USING ("sender_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or "recipient_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK ("sender_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or "recipient_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');--> statement-breakpoint
CREATE POLICY "referrals_transitions_parties" ON "referrals_transitions" AS PERMISSIVE FOR ALL TO "cairn_app" USING ("sender_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or "recipient_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform') WITH CHECK ("sender_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or "recipient_organisation_id" = nullif(current_setting('cairn.organisation_id', true), '')::uuid or current_setting('cairn.scope', true) = 'platform');