-- The map's read path (decision 0011, "The read path"): the published answers as stored gzipped JSON per slice,
-- period and area; the slices a change marked for publication; and what the publication was built with.
CREATE TABLE "journeys_documents" (
	"exploitation_type" text NOT NULL,
	"industry" text NOT NULL,
	"nationality_band" text NOT NULL,
	"period" text NOT NULL,
	"area" text NOT NULL,
	"body" bytea NOT NULL,
	"etag" text NOT NULL,
	CONSTRAINT "journeys_documents_pkey" PRIMARY KEY("exploitation_type","industry","nationality_band","period","area")
);
--> statement-breakpoint
CREATE TABLE "journeys_publication" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"k" integer NOT NULL,
	"earliest_year" smallint,
	"latest_year" smallint,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journeys_stale_slices" (
	"exploitation_type" text NOT NULL,
	"industry" text NOT NULL,
	"nationality_band" text NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "journeys_stale_slices_pkey" PRIMARY KEY("exploitation_type","industry","nationality_band")
);
