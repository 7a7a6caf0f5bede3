CREATE TABLE "kernel_audit_queue" (
	"id" bigserial PRIMARY KEY NOT NULL,
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
	"digest" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kernel_audit" ADD COLUMN "digest" text;--> statement-breakpoint
-- The audit chain is now linked at COMMIT, inside PostgreSQL (server/kernel/audit/audit.ts). Until now the
-- application took the chain's lock (kernel_audit_reserve), computed the hashes and wrote the rows: the lock was
-- held across two round trips to the application and the commit, and under load the transactions queued behind
-- it while its holder waited for a busy Node.js event loop (server/security/crash.security.ts measured 4–5
-- backends waiting on it at once, and fewer than 100 writes a second). Now a transaction writes its entries,
-- with the SHA-256 digest of each entry's content, to kernel_audit_queue, and this deferred trigger moves them at
-- COMMIT: it takes the lock, gives each entry the next id, chains it (hash = SHA-256 of the previous hash, the
-- id and the digest) and writes the head. The lock is held from there to the end of the commit, and no longer.
-- The first firing in a transaction moves all of its entries; the later firings find theirs gone.
CREATE FUNCTION kernel_audit_chain() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  prev text;
  entry_id bigint;
  moved bigint[] := '{}';
  entry record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM kernel_audit_queue q WHERE q.id = NEW.id) THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(7310420615002);
  -- A fresh snapshot for this statement (the function is VOLATILE): it sees every entry committed before the
  -- lock was granted.
  SELECT a.hash INTO prev FROM kernel_audit a ORDER BY a.id DESC LIMIT 1;
  prev := coalesce(prev, repeat('0', 64));
  -- Only this transaction's entries are visible: another's are uncommitted, and every committed one was moved.
  FOR entry IN SELECT * FROM kernel_audit_queue q ORDER BY q.id LOOP
    entry_id := nextval('kernel_audit_id_seq');
    INSERT INTO kernel_audit (id, occurred_at, action, actor_person_id, actor_membership_id, organisation_id,
                              object_type, object_id, ip, request_id, details, digest, prev_hash, hash)
    VALUES (entry_id, entry.occurred_at, entry.action, entry.actor_person_id, entry.actor_membership_id,
            entry.organisation_id, entry.object_type, entry.object_id, entry.ip, entry.request_id, entry.details,
            entry.digest, prev,
            encode(sha256(convert_to(prev || E'\n' || entry_id::text || E'\n' || entry.digest, 'UTF8')), 'hex'))
    RETURNING hash INTO prev;
    moved := moved || entry.id;
  END LOOP;
  DELETE FROM kernel_audit_queue q WHERE q.id = ANY (moved);
  -- The head lets verification notice entries cut off the end of the chain.
  INSERT INTO kernel_meta (key, value)
    VALUES ('audit_head', jsonb_build_object('id', entry_id, 'hash', prev))
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now();
  RETURN NULL;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION kernel_audit_chain() FROM PUBLIC;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER kernel_audit_queue_chain AFTER INSERT ON kernel_audit_queue
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kernel_audit_chain();
--> statement-breakpoint
DROP FUNCTION kernel_audit_reserve(integer);
