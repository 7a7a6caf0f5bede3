import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink } from 'react-router';
import { PageHeading } from '../../ui';
import { casePaths } from '../cases/paths';
import { RequireSignIn } from '../identity/auth/RequireSignIn';
import type { MatchStatus, Subject } from './api';
import { matchingPaths } from './paths';
import { matchingRolesOf, useMatchingRoles, type MatchingRoles } from './roles';
import '../identity/organisations/organisations.css';
import './matching.css';

/** Who may see a matching page. */
export type MatchingAudience = keyof MatchingRoles;

/**
 * The frame of every matching page: heading, tabs, and the sign-in and role gates. The gates only spare
 * people a page of refusals: the server checks every request itself.
 */
export function MatchingFrame({
  title,
  audience,
  children,
}: {
  title: string;
  /** Any of these roles opens the page. */
  audience: readonly MatchingAudience[];
  children: (roles: MatchingRoles) => ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="page matching">
      <PageHeading>{title}</PageHeading>
      <RequireSignIn>
        {(me) => {
          const roles = matchingRolesOf(me);
          return (
            <>
              <MatchingTabs />
              {audience.some((role) => roles[role]) ? (
                children(roles)
              ) : (
                <div className="notice" role="alert">
                  <p>{t('matching.gate')}</p>
                  <p>
                    <Link to="/">{t('cases.gate.home')}</Link>
                  </p>
                </div>
              )}
            </>
          );
        }}
      </RequireSignIn>
    </div>
  );
}

/** Links between the matching pages, by role. */
export function MatchingTabs() {
  const { t } = useTranslation();
  const roles = useMatchingRoles();
  const links = [
    { show: roles.screener, to: matchingPaths.inbox, label: t('matching.tabs.inbox'), end: true },
    { show: roles.screener, to: matchingPaths.subjects, label: t('matching.tabs.subjects'), end: true },
    { show: roles.screener, to: matchingPaths.register, label: t('matching.tabs.register'), end: true },
    { show: roles.screener, to: matchingPaths.lookup, label: t('matching.tabs.lookup'), end: true },
    { show: roles.member, to: matchingPaths.admin, label: t('matching.tabs.admin'), end: true },
    { show: roles.platformAdmin, to: matchingPaths.quotas, label: t('matching.tabs.quotas'), end: true },
  ].filter((link) => link.show);
  if (links.length === 0) return null;
  return (
    <nav className="orgs-tabs" aria-label={t('matching.tabs.label')}>
      <ul>
        {links.map((link) => (
          <li key={link.to}>
            <NavLink to={link.to} end={link.end}>
              {link.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

const statusTone: Record<MatchStatus, string> = {
  new: 'info',
  in_contact: 'success',
  resolved: 'neutral',
  dismissed: 'neutral',
};

/** A match's status as a badge. */
export function MatchStatusBadge({ status }: { status: MatchStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`orgs-badge orgs-badge--${statusTone[status]}`}>{t(`matching.statuses.${status}`)}</span>
  );
}

/**
 * A subject's title. A case file's title is its reference, linked to the case (the server still decides who
 * may open it); investigations, operations and alerts have no page of their own.
 */
export function SubjectTitle({ subject }: { subject: Pick<Subject, 'title' | 'caseId'> }) {
  if (subject.caseId) return <Link to={casePaths.file(subject.caseId)}>{subject.title}</Link>;
  return <>{subject.title}</>;
}
