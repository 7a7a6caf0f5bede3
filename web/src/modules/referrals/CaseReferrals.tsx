import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Loading, Table, type TableColumn } from '../../ui';
import { LoadError } from '../identity/organisations/components/notices';
import { useFormat } from '../identity/organisations/format';
import { useReferralList, useTransferList, type ReferralState, type TransferState } from './api';
import { ReferralStateBadge, TransferStateBadge } from './components';
import { referralPaths } from './paths';
import { useReferralRoles } from './roles';
import './referrals.css';

/** The latest this many referrals and this many transfers of one case (a case rarely has more). */
const CASE_LIMIT = 25;

/** One row of the case's referrals and transfers. */
export interface CaseReferralRow {
  kind: 'referral' | 'transfer';
  id: string;
  state: ReferralState | TransferState;
  overdue: boolean;
  counterpart: string;
  updatedAt: string;
}

/** The case's referrals and transfers together, latest change first. */
export function caseReferralRows(
  referrals: readonly {
    id: string;
    state: ReferralState;
    overdue: boolean;
    counterpart: { name: string };
    updatedAt: string;
  }[],
  transfers: readonly { id: string; state: TransferState; recipient: { name: string }; updatedAt: string }[],
): CaseReferralRow[] {
  return [
    ...referrals.map((item) => ({
      kind: 'referral' as const,
      id: item.id,
      state: item.state,
      overdue: item.overdue,
      counterpart: item.counterpart.name,
      updatedAt: item.updatedAt,
    })),
    ...transfers.map((item) => ({
      kind: 'transfer' as const,
      id: item.id,
      state: item.state,
      overdue: false,
      counterpart: item.recipient.name,
      updatedAt: item.updatedAt,
    })),
  ].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}

/**
 * The case page's referrals and transfers: those sent for this case (state, to whom, last change, a link),
 * kept current by the live stream's state events, and the ways to refer or transfer it (`canStart`).
 */
export function CaseReferrals({ caseId, canStart }: { caseId: string; canStart: boolean }) {
  const { t } = useTranslation();
  const format = useFormat();
  const roles = useReferralRoles();
  const headingId = useId();
  const referrals = useReferralList({ box: 'sent', caseId, limit: CASE_LIMIT }, roles.caseStaff);
  const transfers = useTransferList({ box: 'sent', caseId, limit: CASE_LIMIT }, roles.caseStaff);
  if (!roles.caseStaff) return null;

  const columns: TableColumn<CaseReferralRow>[] = [
    {
      key: 'counterpart',
      header: t('referrals.list.to'),
      isRowHeader: true,
      cell: (row) => (
        <Link to={row.kind === 'referral' ? referralPaths.referral(row.id) : referralPaths.transfer(row.id)}>
          {row.counterpart}
        </Link>
      ),
    },
    { key: 'kind', header: t('referrals.case.kind'), cell: (row) => t(`referrals.case.kinds.${row.kind}`) },
    {
      key: 'state',
      header: t('referrals.list.state'),
      cell: (row) =>
        row.kind === 'referral' ? (
          <ReferralStateBadge state={row.state as ReferralState} overdue={row.overdue} />
        ) : (
          <TransferStateBadge state={row.state as TransferState} />
        ),
    },
    { key: 'updated', header: t('referrals.case.updated'), cell: (row) => format.dateTime(row.updatedAt) },
  ];

  const failed = referrals.error ?? transfers.error;
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId}>{t('referrals.case.label')}</h3>
      {referrals.isPending || transfers.isPending ? (
        <Loading />
      ) : failed ? (
        <LoadError
          error={failed}
          onRetry={() => {
            void referrals.refetch();
            void transfers.refetch();
          }}
        />
      ) : referrals.data && transfers.data ? (
        (() => {
          const rows = caseReferralRows(referrals.data.items, transfers.data.items);
          return rows.length === 0 ? (
            <p className="muted">{t('referrals.case.none')}</p>
          ) : (
            <Table
              caption={t('referrals.case.caption', { count: rows.length })}
              columns={columns}
              rows={rows}
              rowKey={(row) => `${row.kind}-${row.id}`}
            />
          );
        })()
      ) : null}
      {canStart && (
        <div className="actions">
          <Link className="button button--secondary" to={referralPaths.newReferral(caseId)}>
            {t('referrals.case.refer')}
          </Link>
          <Link className="button button--secondary" to={referralPaths.newTransfer(caseId)}>
            {t('referrals.case.transfer')}
          </Link>
        </div>
      )}
    </section>
  );
}
