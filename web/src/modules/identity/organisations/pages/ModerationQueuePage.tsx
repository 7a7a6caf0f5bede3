import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Button, Loading, PageHeading, Table, type TableColumn } from '../../../../ui';
import { RequireSignIn } from '../../auth/RequireSignIn';
import type { Organisation } from '../api';
import { StatusBadge } from '../components/badges';
import { EmptyState, LoadError } from '../components/notices';
import { useFormat } from '../format';
import { useQueue } from '../queries';
import { QUEUE_STATUSES, isOneOf } from '../vocabulary';
import '../organisations.css';

/** The vetting queue: applications waiting for a moderator, those waiting for the applicant, and refusals. */
export function ModerationQueuePage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <PageHeading>{t('orgs.queue.title')}</PageHeading>
      <p>{t('orgs.queue.intro')}</p>
      <RequireSignIn>
        <Queue />
      </RequireSignIn>
    </div>
  );
}

function Queue() {
  const { t } = useTranslation();
  const format = useFormat();
  const [params] = useSearchParams();
  const requested = params.get('status');
  const status = isOneOf(QUEUE_STATUSES, requested) ? requested : 'pending';
  const queue = useQueue(status);
  const rows = queue.data?.pages.flatMap((page) => page.items) ?? [];

  const columns: TableColumn<Organisation>[] = [
    {
      key: 'name',
      header: t('orgs.fields.organisation'),
      isRowHeader: true,
      cell: (org) => <Link to={`/moderation/applications/${org.id}`}>{org.name}</Link>,
    },
    { key: 'type', header: t('orgs.fields.type'), cell: (org) => t(`orgs.types.${org.type}`) },
    { key: 'countries', header: t('orgs.fields.countries'), cell: (org) => format.countries(org.countries) },
    { key: 'submitted', header: t('orgs.fields.submitted'), cell: (org) => format.date(org.createdAt) },
    {
      key: 'note',
      header: t('orgs.queue.latest'),
      cell: (org) =>
        org.review?.latestNote
          ? t(org.review.latestNote.by === 'applicant' ? 'orgs.queue.answered' : 'orgs.queue.asked')
          : '—',
    },
    { key: 'status', header: t('orgs.fields.status'), cell: (org) => <StatusBadge status={org.status} /> },
  ];

  return (
    <>
      <nav className="orgs-tabs" aria-label={t('orgs.queue.tabsLabel')}>
        <ul>
          {QUEUE_STATUSES.map((tab) => (
            <li key={tab}>
              <Link to={`?status=${tab}`} aria-current={tab === status ? 'page' : undefined} replace>
                {t(`orgs.queue.tabs.${tab}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {queue.isPending ? (
        <Loading />
      ) : queue.isError ? (
        <LoadError error={queue.error} onRetry={() => void queue.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState>
          <p>{t(`orgs.queue.empty.${status}`)}</p>
        </EmptyState>
      ) : (
        <>
          <Table
            caption={t('orgs.queue.caption', { status: t(`orgs.queue.tabs.${status}`) })}
            columns={columns}
            rows={rows}
            rowKey={(org) => org.id}
          />
          {queue.hasNextPage && (
            <Button
              variant="secondary"
              busy={queue.isFetchingNextPage}
              onClick={() => void queue.fetchNextPage()}
            >
              {t('orgs.list.more')}
            </Button>
          )}
        </>
      )}
    </>
  );
}
