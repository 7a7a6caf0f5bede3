import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { activeMembershipOf, useMe } from '../../identity/auth/useMe';
import { useSupportStats } from './api';
import { supportPaths } from './components';

/**
 * The header's links to "find support" (for people who may send and answer support requests, as the
 * server's abilities say) and to unmet needs (platform staff). List items for the frame's navigation list.
 */
export function SupportNavLinks() {
  const { t } = useTranslation();
  const me = useMe();
  const person = me.data?.level === 'full' && me.data.hasRequiredFactor ? me.data : null;
  const organisation = person ? activeMembershipOf(person)?.organisation : undefined;
  const acting = organisation?.status === 'active';
  // Members of an active organisation ask the server what they may do; nobody else asks at all.
  const stats = useSupportStats(acting);
  return (
    <>
      {acting && stats.data?.abilities.requestSupport && (
        <li>
          <NavLink to={supportPaths.find}>{t('support.nav.support')}</NavLink>
        </li>
      )}
      {person?.abilities.moderate && (
        <li>
          <NavLink to={supportPaths.unmet}>{t('support.nav.unmet')}</NavLink>
        </li>
      )}
    </>
  );
}
