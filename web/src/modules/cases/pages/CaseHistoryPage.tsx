import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { Button, Loading, Table, type TableColumn } from '../../../ui';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import {
  currentCursor,
  firstPage,
  nextPage,
  pageNumber,
  previousPage,
  type CursorTrail,
} from '../../identity/organisations/pagination';
import { casePaths, useCaseHistory, type HistoryKind, type HistoryPage } from '../api';
import { CasesFrame } from '../CasesFrame';
import { Nothing } from '../components';
import { useCaseFormat } from '../format';
import { optionLabel } from '../sections';
import { isOneOf } from '../vocabulary';

const KINDS: readonly HistoryKind[] = ['all', 'reads', 'changes'];
type Item = HistoryPage['items'][number] & { index: number };

/** The case's own access history (supervisors): who read which sections, and who changed what, newest first. */
export function CaseHistoryPage() {
  const { t } = useTranslation();
  const { caseId = '' } = useParams();
  return (
    <CasesFrame title={t('cases.history.title')} tabs={false}>
      {() => <History key={caseId} caseId={caseId} />}
    </CasesFrame>
  );
}

function History({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const [params] = useSearchParams();
  const requested = params.get('kind');
  const kind: HistoryKind = isOneOf(KINDS, requested) ? requested : 'all';
  const [trail, setTrail] = useState<{ kind: HistoryKind; trail: CursorTrail }>({ kind, trail: firstPage });
  const current = trail.kind === kind ? trail.trail : firstPage;
  const history = useCaseHistory(caseId, kind, currentCursor(current));

  const columns: TableColumn<Item>[] = [
    { key: 'at', header: t('cases.history.at'), isRowHeader: true, cell: (item) => format.dateTime(item.at) },
    {
      key: 'person',
      header: t('cases.history.person'),
      cell: (item) => item.person?.name ?? <Nothing label={t('cases.history.system')} />,
    },
    {
      key: 'action',
      header: t('cases.history.action'),
      cell: (item) =>
        t(`cases.history.actions.${item.action.replace(/^cases\./, '')}`, { defaultValue: item.action }),
    },
    {
      key: 'sections',
      header: t('cases.history.sections'),
      cell: (item) =>
        item.sections.length === 0 ? (
          <Nothing label={t('cases.history.noSections')} />
        ) : (
          item.sections.map((section) => optionLabel(t, 'sections', section)).join(', ')
        ),
    },
  ];

  return (
    <>
      <p>
        <Link to={casePaths.file(caseId)}>{t('cases.history.back')}</Link>
      </p>
      <p className="muted">{t('cases.history.intro')}</p>
      <nav className="orgs-tabs" aria-label={t('cases.history.filter')}>
        <ul>
          {KINDS.map((value) => (
            <li key={value}>
              <Link
                to={
                  value === 'all' ? casePaths.history(caseId) : `${casePaths.history(caseId)}?kind=${value}`
                }
                aria-current={value === kind ? 'page' : undefined}
              >
                {t(`cases.history.kinds.${value}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {history.isPending ? (
        <Loading />
      ) : history.isError ? (
        <LoadError error={history.error} onRetry={() => void history.refetch()} />
      ) : history.data.items.length === 0 ? (
        <EmptyState>
          <p>{t('cases.history.none')}</p>
        </EmptyState>
      ) : (
        <>
          <Table
            caption={t('cases.history.caption', { page: pageNumber(current) })}
            columns={columns}
            rows={history.data.items.map((item, index) => ({ ...item, index }))}
            rowKey={(item) => String(item.index)}
          />
          <nav className="orgs-pager" aria-label={t('cases.list.pages')}>
            <Button
              variant="secondary"
              disabled={pageNumber(current) === 1}
              onClick={() => setTrail({ kind, trail: previousPage(current) })}
            >
              {t('cases.list.previous')}
            </Button>
            <span className="orgs-pager__status" aria-live="polite">
              {t('cases.list.page', { page: pageNumber(current) })}
            </span>
            <Button
              variant="secondary"
              disabled={!history.data.nextCursor || history.isPlaceholderData}
              onClick={() =>
                history.data.nextCursor &&
                setTrail({ kind, trail: nextPage(current, history.data.nextCursor) })
              }
            >
              {t('cases.list.next')}
            </Button>
          </nav>
        </>
      )}
    </>
  );
}
