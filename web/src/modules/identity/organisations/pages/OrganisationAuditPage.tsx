import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { Button, Loading, PageHeading, Table, type TableColumn } from '../../../../ui';
import { RequireSignIn } from '../../auth/RequireSignIn';
import type { AuditEntry } from '../api';
import { describeAction, describeActor, describeDetails } from '../audit';
import { BackToOrganisation } from '../components/BackToOrganisation';
import { EmptyState, LoadError } from '../components/notices';
import { useFormat } from '../format';
import { currentCursor, firstPage, nextPage, pageNumber, previousPage } from '../pagination';
import { useAuditPage, useOrganisation } from '../queries';
import '../organisations.css';

/** An organisation's audit trail, newest first, a page at a time (its administrators). */
export function OrganisationAuditPage() {
  return (
    <RequireSignIn>
      <AuditTrail />
    </RequireSignIn>
  );
}

function AuditTrail() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const organisation = useOrganisation(id);
  const [trail, setTrail] = useState(firstPage);
  const page = useAuditPage(id, currentCursor(trail));

  const columns: TableColumn<AuditEntry>[] = [
    {
      key: 'when',
      header: t('orgs.audit.when'),
      isRowHeader: true,
      cell: (entry) => <time dateTime={entry.occurredAt}>{format.dateTime(entry.occurredAt)}</time>,
    },
    { key: 'who', header: t('orgs.audit.who'), cell: (entry) => describeActor(entry, t) },
    { key: 'what', header: t('orgs.audit.what'), cell: (entry) => describeAction(entry, t) },
    {
      key: 'details',
      header: t('orgs.audit.details.header'),
      cell: (entry) => describeDetails(entry, t, format.countries) || '—',
    },
  ];

  const nextCursor = page.data?.nextCursor ?? null;

  return (
    <div className="page">
      <BackToOrganisation id={id} name={organisation.data?.name} />
      <PageHeading>{t('orgs.audit.title')}</PageHeading>
      <p>{t('orgs.audit.intro')}</p>
      {page.isPending ? (
        <Loading />
      ) : page.isError ? (
        <LoadError error={page.error} onRetry={() => void page.refetch()} />
      ) : page.data.items.length === 0 && pageNumber(trail) === 1 ? (
        <EmptyState>
          <p>{t('orgs.audit.empty')}</p>
        </EmptyState>
      ) : (
        <>
          <Table
            caption={t('orgs.audit.caption', { page: pageNumber(trail) })}
            columns={columns}
            rows={page.data.items}
            rowKey={(entry) => String(entry.id)}
          />
          <nav className="orgs-pager" aria-label={t('orgs.audit.pagerLabel')}>
            <Button
              variant="secondary"
              disabled={pageNumber(trail) === 1}
              onClick={() => setTrail(previousPage)}
            >
              {t('orgs.audit.newer')}
            </Button>
            <span className="orgs-pager__status" aria-live="polite">
              {page.isPlaceholderData ? t('ui.loading') : t('orgs.audit.page', { page: pageNumber(trail) })}
            </span>
            <Button
              variant="secondary"
              disabled={nextCursor === null || page.isPlaceholderData}
              onClick={() => nextCursor && setTrail((current) => nextPage(current, nextCursor))}
            >
              {t('orgs.audit.older')}
            </Button>
          </nav>
        </>
      )}
    </div>
  );
}
