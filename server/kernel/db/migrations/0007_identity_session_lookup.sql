-- SECURITY: resolves a session on every authenticated request in one round trip. The lookup reads a person's
-- memberships across organisations, which row-level security would hide from the application role; this
-- function runs as its owner (the migrating user, who owns the tables) and answers only for the session
-- whose token hash it is given. It returns what the actor needs and nothing else.
CREATE OR REPLACE FUNCTION identity_session_actor(p_token_hash text, p_sensitive_roles text[])
RETURNS TABLE (
  id uuid, person_id uuid, level text, last_seen_at timestamptz, expires_at timestamptz,
  step_up_at timestamptz, platform_role text, membership_org uuid, membership_id uuid,
  organisation_id uuid, role text, holds_sensitive_role boolean, passkeys bigint,
  totp_confirmed boolean, required_factor text
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  select s.id, s.person_id, s.level, s.last_seen_at, s.expires_at, s.step_up_at,
         p.platform_role, o.id, m.id, m.organisation_id, m.role,
         exists (select 1 from identity_memberships m2
                 join identity_organisations o2 on o2.id = m2.organisation_id and o2.status = 'active'
                 where m2.person_id = s.person_id and m2.role = any(p_sensitive_roles)),
         (select count(*) from identity_passkeys k where k.person_id = s.person_id),
         coalesce((select t.confirmed_at is not null from identity_totp_factors t
                   where t.person_id = s.person_id), false),
         (select value from identity_settings where key = 'required_factor')
    from identity_sessions s
    join identity_people p on p.id = s.person_id
    left join identity_memberships m on m.id = s.active_membership_id and m.person_id = s.person_id
    left join identity_organisations o on o.id = m.organisation_id and o.status = 'active'
   where s.token_hash = p_token_hash and s.revoked_at is null
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION identity_session_actor(text, text[]) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION identity_session_actor(text, text[]) TO cairn_app;
