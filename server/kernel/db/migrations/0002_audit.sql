CREATE SEQUENCE "public"."kernel_audit_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "kernel_audit" (
	"id" bigint PRIMARY KEY NOT NULL,
	"occurred_at" timestamp (3) with time zone NOT NULL,
	"action" text NOT NULL,
	"actor_person_id" uuid,
	"actor_membership_id" uuid,
	"organisation_id" uuid,
	"object_type" text NOT NULL,
	"object_id" text,
	"ip" text,
	"request_id" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "kernel_audit_organisation_idx" ON "kernel_audit" USING btree ("organisation_id","id");--> statement-breakpoint
CREATE INDEX "kernel_audit_object_idx" ON "kernel_audit" USING btree ("object_type","object_id");--> statement-breakpoint
CREATE INDEX "kernel_audit_actor_idx" ON "kernel_audit" USING btree ("actor_person_id","id");