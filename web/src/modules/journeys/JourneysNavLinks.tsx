import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { journeyPaths } from './paths';
import { useJourneyRoles } from './roles';

/**
 * The header's links to the journey pages: the map for everyone (the member map for members of vetted
 * organisations), the organisation's contributions for contributors, the queue for moderators.
 */
export function JourneysNavLinks() {
  const { t } = useTranslation();
  const roles = useJourneyRoles();
  return (
    <>
      <li>
        <NavLink to={roles.member ? journeyPaths.memberMap : journeyPaths.publicMap} end>
          {t('journeys.nav.map')}
        </NavLink>
      </li>
      {roles.contributor && (
        <li>
          <NavLink to={journeyPaths.contributions}>{t('journeys.nav.contributions')}</NavLink>
        </li>
      )}
      {roles.moderator && (
        <li>
          <NavLink to={journeyPaths.moderation}>{t('journeys.nav.moderation')}</NavLink>
        </li>
      )}
    </>
  );
}
