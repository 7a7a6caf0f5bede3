import { useTranslation } from 'react-i18next';
import { Link, NavLink } from 'react-router';
import { Table, VisuallyHidden, type TableColumn } from '../../ui';
import { useCaseFormat } from './format';
import { casePaths, type CaseStatus, type CaseSummary } from './api';
import { useCaseRoles } from './roles';

export { caseRolesOf, useCaseRoles, type CaseRoles } from './roles';

/** Links between the case pages, shown by role. */
export function CasesTabs() {
  const { t } = useTranslation();
  const roles = useCaseRoles();
  return (
    <nav className="orgs-tabs" aria-label={t('cases.tabs.label')}>
      <ul>
        {roles.caseStaff && (
          <>
            <li>
              <NavLink to={casePaths.dashboard} end>
                {t('cases.tabs.dashboard')}
              </NavLink>
            </li>
            <li>
              <NavLink to={casePaths.list}>{t('cases.tabs.list')}</NavLink>
            </li>
          </>
        )}
        {roles.statistics && (
          <li>
            <NavLink to={casePaths.statistics}>{t('cases.tabs.statistics')}</NavLink>
          </li>
        )}
      </ul>
    </nav>
  );
}

const statusTone: Record<CaseStatus, string> = {
  Active: 'info',
  FollowUp: 'warning',
  Closed: 'neutral',
  ClosedReferred: 'neutral',
};

/** A case's status, draft, restriction and pending closure, as badges (the words carry the meaning). */
export function CaseBadges({
  status,
  draft,
  restricted,
  closurePending,
}: {
  status: CaseStatus;
  draft: boolean;
  restricted: boolean;
  closurePending: boolean;
}) {
  const { t } = useTranslation();
  return (
    <span className="orgs-badges">
      <span className={`orgs-badge orgs-badge--${statusTone[status]}`}>
        {t(`cases.vocabulary.caseStatuses.${status}`)}
      </span>
      {draft && <span className="orgs-badge orgs-badge--warning">{t('cases.badges.draft')}</span>}
      {restricted && <span className="orgs-badge orgs-badge--danger">{t('cases.badges.restricted')}</span>}
      {closurePending && (
        <span className="orgs-badge orgs-badge--warning">{t('cases.badges.closurePending')}</span>
      )}
    </span>
  );
}

/** An empty cell: a dash for the eye, words for screen readers. */
export function Nothing({ label }: { label: string }) {
  return (
    <span className="muted">
      <span aria-hidden="true">—</span>
      <VisuallyHidden>{label}</VisuallyHidden>
    </span>
  );
}

/**
 * A table of cases. SECURITY: it shows the reference, status, assignees and counts only — a list never
 * names or describes the survivor, so it is safe on a screen others can see.
 */
export function CaseTable({ caption, cases }: { caption: string; cases: readonly CaseSummary[] }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const columns: TableColumn<CaseSummary>[] = [
    {
      key: 'reference',
      header: t('cases.table.reference'),
      isRowHeader: true,
      cell: (item) => <Link to={casePaths.file(item.id)}>{item.reference}</Link>,
    },
    {
      key: 'status',
      header: t('cases.table.status'),
      cell: (item) => (
        <CaseBadges
          status={item.status}
          draft={item.draft}
          restricted={item.restricted}
          closurePending={item.closurePending}
        />
      ),
    },
    {
      key: 'assignees',
      header: t('cases.table.assignees'),
      cell: (item) =>
        item.assignees.length === 0 ? (
          <Nothing label={t('cases.table.nobody')} />
        ) : (
          item.assignees.map((person) => person.name).join(', ')
        ),
    },
    {
      key: 'due',
      header: t('cases.table.due'),
      align: 'end',
      cell: (item) =>
        item.dueFollowUps > 0 ? (
          <strong>{format.number(item.dueFollowUps)}</strong>
        ) : (
          <Nothing label={t('cases.table.noneDue')} />
        ),
    },
    {
      key: 'updated',
      header: t('cases.table.updated'),
      cell: (item) => format.dateTime(item.updatedAt),
    },
  ];
  return <Table caption={caption} columns={columns} rows={cases} rowKey={(item) => item.id} />;
}
