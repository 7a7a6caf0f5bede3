import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Loading, Table, type TableColumn } from '../../../ui';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { useFormat } from '../../identity/organisations/format';
import { useMatches, type Match, type MatchStatus } from '../api';
import { MatchStatusBadge, MatchingFrame, SubjectTitle } from '../components';
import { matchingPaths } from '../paths';
import { Revealed } from '../Revealed';

export const MATCH_STATUSES = [
  'new',
  'in_contact',
  'resolved',
  'dismissed',
] as const satisfies readonly MatchStatus[];

/** The status filter of the address, or none (every match). */
export function statusOf(params: URLSearchParams): MatchStatus | undefined {
  const value = params.get('status');
  return (MATCH_STATUSES as readonly string[]).includes(value ?? '') ? (value as MatchStatus) : undefined;
}

/** The matches inbox: possible overlaps between the organisation's investigations and other organisations'. */
export function InboxPage() {
  const { t } = useTranslation();
  return (
    <MatchingFrame title={t('matching.inbox.title')} audience={['screener']}>
      {() => <Inbox />}
    </MatchingFrame>
  );
}

function Inbox() {
  const { t } = useTranslation();
  const format = useFormat();
  const [params] = useSearchParams();
  const status = statusOf(params);
  const matches = useMatches(status);
  const filters = [
    { status: undefined, label: t('matching.inbox.all') },
    ...MATCH_STATUSES.map((s) => ({ status: s, label: t(`matching.statuses.${s}`) })),
  ];

  const columns: TableColumn<Match>[] = [
    {
      key: 'type',
      header: t('matching.inbox.type'),
      isRowHeader: true,
      cell: (match) => (
        <Link to={matchingPaths.match(match.id)}>{t(`matching.matchTypes.${match.matchType}`)}</Link>
      ),
    },
    {
      key: 'organisation',
      header: t('matching.inbox.organisation'),
      cell: (match) => (
        <Link to={matchingPaths.organisation(match.otherOrganisation.id)}>
          {match.otherOrganisation.name}
        </Link>
      ),
    },
    {
      key: 'subject',
      header: t('matching.inbox.subject'),
      cell: (match) => (
        <>
          <SubjectTitle subject={match.subject} />
          <span className="muted"> · {t(`matching.subjectKinds.${match.subject.kind}`)}</span>
        </>
      ),
    },
    { key: 'date', header: t('matching.inbox.date'), cell: (match) => format.date(match.createdAt) },
    {
      key: 'status',
      header: t('matching.inbox.status'),
      cell: (match) => (
        <>
          <MatchStatusBadge status={match.status} />
          {match.status === 'new' && match.agreedByUs && !match.agreedByThem && (
            <span className="muted"> {t('matching.match.waiting')}</span>
          )}
        </>
      ),
    },
  ];

  return (
    <>
      <p className="matching__lead">{t('matching.inbox.lead')}</p>
      <Revealed />
      <nav className="orgs-tabs" aria-label={t('matching.inbox.filter')}>
        <ul>
          {filters.map((filter) => (
            <li key={filter.status ?? 'all'}>
              {/* Plain links: the filters share one path, so NavLink would mark them all current. */}
              <Link
                to={filter.status ? matchingPaths.inboxOf(filter.status) : matchingPaths.inbox}
                aria-current={filter.status === status ? 'page' : undefined}
              >
                {filter.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {matches.isPending ? (
        <Loading />
      ) : matches.isError ? (
        <LoadError error={matches.error} onRetry={() => void matches.refetch()} />
      ) : matches.data.items.length === 0 ? (
        <EmptyState>{t('matching.inbox.empty')}</EmptyState>
      ) : (
        <Table
          caption={t('matching.inbox.caption', { count: matches.data.items.length })}
          columns={columns}
          rows={matches.data.items}
          rowKey={(match) => match.id}
        />
      )}
    </>
  );
}
