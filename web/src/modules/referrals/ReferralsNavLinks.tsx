import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { useUnreadCounts } from './api';
import { useLiveThreads } from './live';
import { referralPaths } from './paths';
import { useReferralRoles } from './roles';
import './referrals.css';

/**
 * The header's links to the referral pages: "Referrals" with the count of unread messages for case staff
 * (kept current by the live stream, never by polling), "Referral statistics" for organisation admins, the
 * platform-wide counts for platform staff.
 */
export function ReferralsNavLinks() {
  const { t } = useTranslation();
  const roles = useReferralRoles();
  useLiveThreads(roles.caseStaff);
  const unread = useUnreadCounts(roles.caseStaff);
  const total = unread.data?.total ?? 0;
  return (
    <>
      {roles.caseStaff && (
        <li>
          <NavLink to={referralPaths.list}>
            {t('referrals.nav.referrals')}
            {total > 0 && (
              <span className="referrals-unread">
                <span aria-hidden="true">{total}</span>
                <span className="visually-hidden">{t('referrals.nav.unread', { count: total })}</span>
              </span>
            )}
          </NavLink>
        </li>
      )}
      {roles.statistics && !roles.caseStaff && (
        <li>
          <NavLink to={referralPaths.statistics}>{t('referrals.nav.statistics')}</NavLink>
        </li>
      )}
      {roles.platformStaff && (
        <li>
          <NavLink to={referralPaths.platformStatistics}>{t('referrals.nav.platformStatistics')}</NavLink>
        </li>
      )}
    </>
  );
}
