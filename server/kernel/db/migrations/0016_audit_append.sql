-- The audit chain's append step in one round trip (server/kernel/audit/audit.ts): take the chain's lock, held until
-- COMMIT so the chain is linear in commit order, read the head and reserve ids for the transaction's entries. The
-- entries are written just before COMMIT, so the lock is held for two statements and the commit, not for the rest
-- of the use case. A VOLATILE function takes a fresh snapshot for each statement in it, so the head is read after
-- the lock is granted and sees every entry committed before.
CREATE FUNCTION kernel_audit_reserve(entries integer)
  RETURNS TABLE (head_hash text, ids bigint[])
  LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7310420615002);
  RETURN QUERY SELECT
    (SELECT a.hash FROM kernel_audit a ORDER BY a.id DESC LIMIT 1)::text,
    ARRAY(SELECT nextval('kernel_audit_id_seq') FROM generate_series(1, entries));
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION kernel_audit_reserve(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION kernel_audit_reserve(integer) TO cairn_app;
