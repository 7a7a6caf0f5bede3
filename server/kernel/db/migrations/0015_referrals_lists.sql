CREATE INDEX "referrals_referrals_sent_list_idx" ON "referrals_referrals" USING btree ("sender_organisation_id","updated_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "referrals_referrals_received_list_idx" ON "referrals_referrals" USING btree ("recipient_organisation_id","updated_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "referrals_referrals"."sent_at" is not null;--> statement-breakpoint
CREATE INDEX "referrals_threads_parties_idx" ON "referrals_threads" USING gin ("party_organisation_ids");--> statement-breakpoint
-- SECURITY: the one way a case file changes owner (an accepted transfer), with a reference in the new owner's
-- series. Row-level security lets the application role update a case row only when the row belongs to the
-- transaction's organisation, before and after, so no plain UPDATE can hand it over. This function makes exactly
-- that change and nothing else, and only while the transaction is scoped to the current owner (a session scoped
-- elsewhere moves nothing); the cases module calls it after re-sealing every value for the new owner.
CREATE FUNCTION cases_move_file(case_id uuid, from_organisation uuid, to_organisation uuid, new_reference text)
  RETURNS boolean
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  moved integer;
BEGIN
  IF from_organisation IS DISTINCT FROM nullif(current_setting('cairn.organisation_id', true), '')::uuid THEN
    RETURN false;
  END IF;
  UPDATE cases_files SET organisation_id = to_organisation, reference = new_reference
    WHERE id = case_id AND organisation_id = from_organisation;
  GET DIAGNOSTICS moved = ROW_COUNT;
  RETURN moved = 1;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION cases_move_file(uuid, uuid, uuid, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION cases_move_file(uuid, uuid, uuid, text) TO cairn_app;
