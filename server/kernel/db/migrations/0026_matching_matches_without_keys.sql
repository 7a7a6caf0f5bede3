ALTER TABLE "matching_matches" DROP CONSTRAINT "matching_matches_low_subject_id_matching_subjects_id_fk";
--> statement-breakpoint
ALTER TABLE "matching_matches" DROP CONSTRAINT "matching_matches_high_subject_id_matching_subjects_id_fk";
--> statement-breakpoint
-- A subject deleted by hand takes its matches with it, as the dropped keys' ON DELETE CASCADE did (Cairn itself
-- closes subjects and never deletes them). One statement per deleting statement, over the deleted rows.
CREATE FUNCTION matching_subjects_drop_matches() RETURNS trigger
  LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM matching_matches m USING gone g WHERE m.low_subject_id = g.id;
  DELETE FROM matching_matches m USING gone g WHERE m.high_subject_id = g.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER matching_subjects_drop_matches AFTER DELETE ON matching_subjects
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION matching_subjects_drop_matches();
