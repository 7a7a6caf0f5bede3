import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { matchingPaths } from './paths';
import { useMatchingRoles } from './roles';

/**
 * The header's link to the matching pages: the matches inbox for case supervisors and investigators, the
 * organisation's matching settings for organisation admins.
 */
export function MatchingNavLinks() {
  const { t } = useTranslation();
  const roles = useMatchingRoles();
  if (roles.screener)
    return (
      <li>
        <NavLink to={matchingPaths.inbox}>{t('matching.nav.matches')}</NavLink>
      </li>
    );
  if (roles.admin)
    return (
      <li>
        <NavLink to={matchingPaths.admin}>{t('matching.nav.settings')}</NavLink>
      </li>
    );
  return null;
}
