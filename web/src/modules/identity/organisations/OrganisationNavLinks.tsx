import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { activeMembershipOf, useMe } from '../auth/useMe';

/**
 * The header's links to the organisation pages, each shown only when the server's abilities for the
 * signed-in person allow what is behind it. Renders list items for the frame's navigation list.
 */
export function OrganisationNavLinks() {
  const { t } = useTranslation();
  const me = useMe();
  const person = me.data;
  // A half-finished sign-in can do nothing yet; its links would only lead to refusals.
  if (!person || person.level !== 'full') return null;
  const organisation = activeMembershipOf(person)?.organisation;
  return (
    <>
      {person.abilities.administerOrganisation && organisation && (
        <li>
          <NavLink to={`/organisations/${organisation.id}`}>{t('orgs.nav.myOrganisation')}</NavLink>
        </li>
      )}
      {person.abilities.moderate && (
        <li>
          <NavLink to="/moderation">{t('orgs.nav.moderation')}</NavLink>
        </li>
      )}
      {person.abilities.administerPlatform && (
        <li>
          <NavLink to="/platform">{t('orgs.nav.platform')}</NavLink>
        </li>
      )}
    </>
  );
}
