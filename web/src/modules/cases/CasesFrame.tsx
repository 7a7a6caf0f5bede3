import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageHeading } from '../../ui';
import { RequireSignIn } from '../identity/auth/RequireSignIn';
import { CasesTabs, caseRolesOf, type CaseRoles } from './components';
import '../identity/organisations/organisations.css';
import '../directory/profile/profile.css';
import '../directory/search/search.css';
import './cases.css';

/** Who may see a case page: case staff (most pages) or people with statistics. */
export type CasesAudience = 'caseStaff' | 'statistics';

/**
 * The frame of every case page: its heading, the tabs between case pages, and the sign-in and role gates.
 * The gates only spare people a page of refusals: the server checks every request itself.
 */
export function CasesFrame({
  title,
  audience = 'caseStaff',
  tabs = true,
  children,
}: {
  title: string;
  audience?: CasesAudience;
  tabs?: boolean;
  children: (roles: CaseRoles) => ReactNode;
}) {
  return (
    <div className="page cases-page">
      <PageHeading>{title}</PageHeading>
      <RequireSignIn>
        {(me) => {
          const roles = caseRolesOf(me);
          return (
            <>
              {tabs && <CasesTabs />}
              {roles[audience] ? children(roles) : <NotForYou audience={audience} />}
            </>
          );
        }}
      </RequireSignIn>
    </div>
  );
}

function NotForYou({ audience }: { audience: CasesAudience }) {
  const { t } = useTranslation();
  return (
    <div className="notice" role="alert">
      <p>{t(audience === 'statistics' ? 'cases.gate.statistics' : 'cases.gate.caseStaff')}</p>
      <p>
        <Link to="/">{t('cases.gate.home')}</Link>
      </p>
    </div>
  );
}
