-- PERFORMANCE: identity_session_actor runs on every authenticated request. As a LANGUAGE sql function with
-- SECURITY DEFINER and SET search_path it cannot be inlined, and PostgreSQL (before 18) plans the body of such a
-- function afresh on every call: 1.4 ms of planning for a 7-table query, more than half of the database time of a
-- simple write (measured with pg_stat_statements under server/security/crash.security.ts's load). PL/pgSQL keeps
-- the prepared plan for the connection's lifetime. Same arguments, same answer, same security: it still runs as
-- its owner and answers only for the session whose token hash it is given.
CREATE OR REPLACE FUNCTION identity_session_actor(p_token_hash text, p_sensitive_roles text[])
RETURNS TABLE (
  id uuid, person_id uuid, level text, last_seen_at timestamptz, expires_at timestamptz,
  step_up_at timestamptz, platform_role text, membership_org uuid, membership_id uuid,
  organisation_id uuid, role text, holds_sensitive_role boolean, passkeys bigint,
  totp_confirmed boolean, required_factor text
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  select s.id, s.person_id, s.level, s.last_seen_at, s.expires_at, s.step_up_at,
         p.platform_role, o.id, m.id, m.organisation_id, m.role,
         exists (select 1 from identity_memberships m2
                 join identity_organisations o2 on o2.id = m2.organisation_id and o2.status = 'active'
                 where m2.person_id = s.person_id and m2.role = any(p_sensitive_roles)),
         (select count(*) from identity_passkeys k where k.person_id = s.person_id),
         coalesce((select t.confirmed_at is not null from identity_totp_factors t
                   where t.person_id = s.person_id), false),
         (select st.value from identity_settings st where st.key = 'required_factor')
    from identity_sessions s
    join identity_people p on p.id = s.person_id
    left join identity_memberships m on m.id = s.active_membership_id and m.person_id = s.person_id
    left join identity_organisations o on o.id = m.organisation_id and o.status = 'active'
   where s.token_hash = p_token_hash and s.revoked_at is null;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION identity_session_actor(text, text[]) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION identity_session_actor(text, text[]) TO cairn_app;
