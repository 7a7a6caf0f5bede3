-- Extensions every module may rely on: trigram search, accent-insensitive search, and crypto helpers.
-- PGlite also needs them passed to PGlite.create (server/kernel/db/client.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pgcrypto;
