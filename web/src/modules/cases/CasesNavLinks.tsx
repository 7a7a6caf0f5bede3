import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { casePaths } from './paths';
import { useCaseRoles } from './roles';

/**
 * The header's links to the case pages (list items for the frame's navigation list): "Cases" for caseworkers
 * and case supervisors, "Case statistics" for analysts (supervisors reach statistics from the case pages).
 */
export function CasesNavLinks() {
  const { t } = useTranslation();
  const roles = useCaseRoles();
  return (
    <>
      {roles.caseStaff && (
        <li>
          <NavLink to={casePaths.dashboard}>{t('cases.nav.cases')}</NavLink>
        </li>
      )}
      {roles.statistics && !roles.caseStaff && (
        <li>
          <NavLink to={casePaths.statistics}>{t('cases.nav.statistics')}</NavLink>
        </li>
      )}
    </>
  );
}
