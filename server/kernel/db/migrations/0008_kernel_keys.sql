CREATE TABLE "kernel_blind_index_keys" (
	"purpose" text NOT NULL,
	"version" integer NOT NULL,
	"sealed_key" text,
	"state" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	"destroyed_at" timestamp with time zone,
	CONSTRAINT "kernel_blind_index_keys_purpose_version_pk" PRIMARY KEY("purpose","version"),
	CONSTRAINT "kernel_blind_index_keys_version_check" CHECK (version >= 1),
	CONSTRAINT "kernel_blind_index_keys_material_check" CHECK ((state = 'destroyed') = (sealed_key is null))
);
--> statement-breakpoint
CREATE TABLE "kernel_idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"status_code" integer,
	"sealed_response" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "kernel_idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "kernel_key_rotations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"scope" text NOT NULL,
	"from_version" integer NOT NULL,
	"to_version" integer NOT NULL,
	"state" text DEFAULT 'running' NOT NULL,
	"rows_done" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "kernel_organisation_keys" (
	"organisation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"sealed_key" text,
	"state" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	"destroyed_at" timestamp with time zone,
	CONSTRAINT "kernel_organisation_keys_organisation_id_version_pk" PRIMARY KEY("organisation_id","version"),
	CONSTRAINT "kernel_organisation_keys_version_check" CHECK (version >= 1),
	CONSTRAINT "kernel_organisation_keys_material_check" CHECK ((state = 'destroyed') = (sealed_key is null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "kernel_blind_index_keys_active_idx" ON "kernel_blind_index_keys" USING btree ("purpose") WHERE state = 'active';--> statement-breakpoint
CREATE INDEX "kernel_idempotency_keys_created_idx" ON "kernel_idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "kernel_key_rotations_running_idx" ON "kernel_key_rotations" USING btree ("kind","scope") WHERE state = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX "kernel_organisation_keys_active_idx" ON "kernel_organisation_keys" USING btree ("organisation_id") WHERE state = 'active';