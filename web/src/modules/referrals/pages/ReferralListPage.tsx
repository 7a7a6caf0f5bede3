import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Button, Loading, Table, type TableColumn } from '../../../ui';
import { SelectField } from '../../identity/organisations/components/fields';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { useFormat } from '../../identity/organisations/format';
import {
  currentCursor,
  firstPage,
  nextPage,
  pageNumber,
  previousPage,
  type CursorTrail,
} from '../../identity/organisations/pagination';
import {
  REFERRAL_STATES,
  TRANSFER_STATES,
  useReferralList,
  useTransferList,
  type ReferralListFilters,
  type ReferralState,
  type ReferralSummary,
  type TransferListFilters,
  type TransferState,
  type TransferSummary,
} from '../api';
import {
  OrganisationLabel,
  ReferralStateBadge,
  ReferralsFrame,
  TransferStateBadge,
  UrgencyBadge,
} from '../components';
import { referralPaths } from '../paths';

/** Referrals (or transfers) a page at a time: small enough for a slow connection. */
const PAGE_SIZE = 25;

type Box = 'sent' | 'received';
type Kind = 'referrals' | 'transfers';

const isOneOf = <T extends string>(list: readonly T[], value: string | null): value is T =>
  value !== null && (list as readonly string[]).includes(value);

/** The sent and received referrals and transfers of the organisation, filtered by state and overdue. */
export function ReferralListPage() {
  const { t } = useTranslation();
  return <ReferralsFrame title={t('referrals.list.title')}>{() => <Lists />}</ReferralsFrame>;
}

function Lists() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const box: Box = params.get('box') === 'sent' ? 'sent' : 'received';
  const kind: Kind = params.get('kind') === 'transfers' ? 'transfers' : 'referrals';
  const views: { box: Box; kind: Kind; label: string }[] = [
    { box: 'received', kind: 'referrals', label: t('referrals.list.received') },
    { box: 'sent', kind: 'referrals', label: t('referrals.list.sent') },
    { box: 'received', kind: 'transfers', label: t('referrals.list.transfersReceived') },
    { box: 'sent', kind: 'transfers', label: t('referrals.list.transfersSent') },
  ];
  return (
    <>
      <nav className="orgs-tabs" aria-label={t('referrals.list.boxes')}>
        <ul>
          {views.map((view) => (
            <li key={`${view.kind}-${view.box}`}>
              {/* A plain Link: the four views share one path, so NavLink would mark them all current. */}
              <Link
                to={referralPaths.box(view.box, view.kind)}
                aria-current={view.box === box && view.kind === kind ? 'page' : undefined}
              >
                {view.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {kind === 'referrals' ? <ReferralList key={box} box={box} /> : <TransferList key={box} box={box} />}
    </>
  );
}

function useTrail(filterKey: string) {
  const [trail, setTrail] = useState<{ key: string; trail: CursorTrail }>({
    key: filterKey,
    trail: firstPage,
  });
  const current = trail.key === filterKey ? trail.trail : firstPage;
  return [current, (next: CursorTrail) => setTrail({ key: filterKey, trail: next })] as const;
}

function Pager({
  current,
  nextCursor,
  busy,
  onMove,
}: {
  current: CursorTrail;
  nextCursor: string | null;
  busy: boolean;
  onMove: (trail: CursorTrail) => void;
}) {
  const { t } = useTranslation();
  return (
    <nav className="orgs-pager" aria-label={t('referrals.list.pages')}>
      <Button
        variant="secondary"
        disabled={pageNumber(current) === 1}
        onClick={() => onMove(previousPage(current))}
      >
        {t('cases.list.previous')}
      </Button>
      <span className="orgs-pager__status" aria-live="polite">
        {t('cases.list.page', { page: pageNumber(current) })}
      </span>
      <Button
        variant="secondary"
        disabled={!nextCursor || busy}
        onClick={() => nextCursor && onMove(nextPage(current, nextCursor))}
      >
        {t('cases.list.next')}
      </Button>
    </nav>
  );
}

function ReferralList({ box }: { box: Box }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const stateParam = params.get('state');
  const overdueParam = params.get('overdue');
  const filters: ReferralListFilters = {
    box,
    state: isOneOf<ReferralState>(REFERRAL_STATES, stateParam) ? stateParam : undefined,
    overdue: overdueParam === 'true' || overdueParam === 'false' ? overdueParam : undefined,
  };
  const filterKey = JSON.stringify(filters);
  const [current, move] = useTrail(filterKey);
  const list = useReferralList({ ...filters, limit: PAGE_SIZE, cursor: currentCursor(current) });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const next = new URLSearchParams({ box });
    for (const name of ['state', 'overdue']) {
      const value = data.get(name);
      if (typeof value === 'string' && value !== '') next.set(name, value);
    }
    setParams(next);
  };

  const columns: TableColumn<ReferralSummary>[] = [
    {
      key: 'counterpart',
      header: box === 'sent' ? t('referrals.list.to') : t('referrals.list.from'),
      isRowHeader: true,
      cell: (item) => (
        <Link to={referralPaths.referral(item.id)}>
          <OrganisationLabel name={item.counterpart.name} countries={item.counterpart.countries} />
        </Link>
      ),
    },
    {
      key: 'state',
      header: t('referrals.list.state'),
      cell: (item) => (
        <>
          <ReferralStateBadge state={item.state} overdue={item.overdue} />{' '}
          <UrgencyBadge urgency={item.urgency} />
        </>
      ),
    },
    {
      key: 'due',
      header: t('referrals.list.due'),
      cell: (item) => (item.acknowledgeDueAt ? format.dateTime(item.acknowledgeDueAt) : '—'),
    },
    {
      key: 'services',
      header: t('referrals.list.services'),
      cell: (item) =>
        item.services.map((service) => t(`directory.vocabulary.services.${service}`)).join(', '),
    },
    ...(box === 'sent'
      ? [
          {
            key: 'case',
            header: t('referrals.list.case'),
            cell: (item: ReferralSummary) => item.caseReference ?? '—',
          },
        ]
      : []),
    {
      key: 'outcome',
      header: t('referrals.list.outcome'),
      cell: (item) => (item.outcome ? t(`referrals.outcomes.${item.outcome}`) : '—'),
    },
  ];

  return (
    <>
      <form
        key={filterKey}
        className="orgs-filters"
        onSubmit={apply}
        aria-label={t('referrals.list.filters')}
      >
        <SelectField
          name="state"
          label={t('referrals.list.state')}
          defaultValue={filters.state ?? ''}
          placeholder={t('referrals.list.anyState')}
          options={REFERRAL_STATES.map((value) => ({ value, label: t(`referrals.states.${value}`) }))}
        />
        <SelectField
          name="overdue"
          label={t('referrals.list.overdueFilter')}
          defaultValue={filters.overdue ?? ''}
          placeholder={t('referrals.list.overdueAny')}
          options={[
            { value: 'true', label: t('referrals.list.overdueOnly') },
            { value: 'false', label: t('referrals.list.notOverdue') },
          ]}
        />
        <div className="orgs-filters__actions">
          <Button type="submit" variant="secondary">
            {t('referrals.list.apply')}
          </Button>
        </div>
      </form>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState>
          <p>{t('referrals.list.none')}</p>
        </EmptyState>
      ) : (
        <>
          <Table
            caption={t('referrals.list.caption', {
              page: pageNumber(current),
              count: list.data.items.length,
            })}
            columns={columns}
            rows={list.data.items}
            rowKey={(item) => item.id}
          />
          <Pager
            current={current}
            nextCursor={list.data.nextCursor}
            busy={list.isPlaceholderData}
            onMove={move}
          />
        </>
      )}
    </>
  );
}

function TransferList({ box }: { box: Box }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const stateParam = params.get('state');
  const filters: TransferListFilters = {
    box,
    state: isOneOf<TransferState>(TRANSFER_STATES, stateParam) ? stateParam : undefined,
  };
  const filterKey = JSON.stringify(filters);
  const [current, move] = useTrail(filterKey);
  const list = useTransferList({ ...filters, limit: PAGE_SIZE, cursor: currentCursor(current) });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const next = new URLSearchParams({ box, kind: 'transfers' });
    const value = data.get('state');
    if (typeof value === 'string' && value !== '') next.set('state', value);
    setParams(next);
  };

  const columns: TableColumn<TransferSummary>[] = [
    {
      key: 'counterpart',
      header: box === 'sent' ? t('referrals.list.to') : t('referrals.list.from'),
      isRowHeader: true,
      cell: (item) => (
        <Link to={referralPaths.transfer(item.id)}>
          {box === 'sent' ? item.recipient.name : item.sender.name}
        </Link>
      ),
    },
    {
      key: 'state',
      header: t('referrals.list.state'),
      cell: (item) => <TransferStateBadge state={item.state} />,
    },
    { key: 'case', header: t('referrals.list.case'), cell: (item) => item.senderReference },
    {
      key: 'requested',
      header: t('referrals.list.requested'),
      cell: (item) => format.dateTime(item.requestedAt),
    },
  ];

  return (
    <>
      <form
        key={filterKey}
        className="orgs-filters"
        onSubmit={apply}
        aria-label={t('referrals.list.filters')}
      >
        <SelectField
          name="state"
          label={t('referrals.list.state')}
          defaultValue={filters.state ?? ''}
          placeholder={t('referrals.list.anyState')}
          options={TRANSFER_STATES.map((value) => ({ value, label: t(`referrals.transferStates.${value}`) }))}
        />
        <div className="orgs-filters__actions">
          <Button type="submit" variant="secondary">
            {t('referrals.list.apply')}
          </Button>
        </div>
      </form>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <EmptyState>
          <p>{t('referrals.list.noTransfers')}</p>
        </EmptyState>
      ) : (
        <>
          <Table
            caption={t('referrals.list.transferCaption', {
              page: pageNumber(current),
              count: list.data.items.length,
            })}
            columns={columns}
            rows={list.data.items}
            rowKey={(item) => item.id}
          />
          <Pager
            current={current}
            nextCursor={list.data.nextCursor}
            busy={list.isPlaceholderData}
            onMove={move}
          />
        </>
      )}
    </>
  );
}
