import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { matchingPaths } from './paths';
import { useMatchingRoles } from './roles';

/**
 * The header's link to the matching pages: the matches inbox for case supervisors and investigators, the
 * organisation's matching settings for organisation admins, its lookup record for every other member (who in it
 * looked up what), the lookup quotas for platform admins.
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
  if (roles.member)
    return (
      <li>
        <NavLink to={matchingPaths.admin}>{t('matching.nav.record')}</NavLink>
      </li>
    );
  if (roles.platformAdmin)
    return (
      <li>
        <NavLink to={matchingPaths.quotas}>{t('matching.nav.quotas')}</NavLink>
      </li>
    );
  return null;
}
