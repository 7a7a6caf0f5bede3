import { useTranslation } from 'react-i18next';
import { Loading, Table } from '../../../ui';
import { LoadError } from '../../identity/organisations/components/notices';
import { useReferralStatistics, type ReferralStatistics } from '../api';
import { ReferralsFrame } from '../components';

type Direction = ReferralStatistics['sent'];

/** The organisation's referral statistics, sent and received: plain tables, counts only. */
export function ReferralStatisticsPage() {
  const { t } = useTranslation();
  return (
    <ReferralsFrame title={t('referrals.statistics.title')} audience="statistics">
      {() => <Statistics />}
    </ReferralsFrame>
  );
}

function Statistics() {
  const statistics = useReferralStatistics();
  if (statistics.isPending) return <Loading />;
  if (statistics.isError)
    return <LoadError error={statistics.error} onRetry={() => void statistics.refetch()} />;
  return (
    <>
      <DirectionTables direction="sent" data={statistics.data.sent} />
      <DirectionTables direction="received" data={statistics.data.received} />
    </>
  );
}

function DirectionTables({ direction, data }: { direction: 'sent' | 'received'; data: Direction }) {
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat([i18n.resolvedLanguage ?? 'en']);
  const percent = new Intl.NumberFormat([i18n.resolvedLanguage ?? 'en'], { style: 'percent' });
  const hours = new Intl.NumberFormat([i18n.resolvedLanguage ?? 'en'], { maximumFractionDigits: 1 });
  const headingId = `referral-statistics-${direction}`;
  // Captions name the direction too: each table is its own region and needs a name unique on the page.
  const heading = t(`referrals.statistics.${direction}`);
  const summary = [
    { key: 'total', label: t('referrals.statistics.total'), value: number.format(data.total) },
    {
      key: 'ack',
      label: t('referrals.statistics.medianHours'),
      value: data.medianHoursToAcknowledge === null ? '—' : hours.format(data.medianHoursToAcknowledge),
    },
    {
      key: 'rate',
      label: t('referrals.statistics.acceptanceRate'),
      value: data.acceptanceRate === null ? '—' : percent.format(data.acceptanceRate),
    },
  ];
  return (
    <section className="cases-section" aria-labelledby={headingId}>
      <h2 id={headingId}>{heading}</h2>
      <Table
        caption={`${heading} — ${t('referrals.statistics.summary')}`}
        columns={[
          {
            key: 'label',
            header: t('referrals.statistics.measure'),
            isRowHeader: true,
            cell: (row) => row.label,
          },
          { key: 'value', header: t('referrals.statistics.value'), align: 'end', cell: (row) => row.value },
        ]}
        rows={summary}
        rowKey={(row) => row.key}
      />
      <Table
        caption={`${heading} — ${t('referrals.statistics.byState')}`}
        columns={[
          {
            key: 'state',
            header: t('referrals.list.state'),
            isRowHeader: true,
            cell: (row) => t(`referrals.states.${row.value}`),
          },
          {
            key: 'count',
            header: t('referrals.statistics.count'),
            align: 'end',
            cell: (row) => number.format(row.count),
          },
        ]}
        rows={data.byState}
        rowKey={(row) => row.value}
      />
      <Table
        caption={`${heading} — ${t('referrals.statistics.outcomes')}`}
        columns={[
          {
            key: 'outcome',
            header: t('referrals.page.outcome'),
            isRowHeader: true,
            cell: (row) => t(`referrals.outcomes.${row.value}`),
          },
          {
            key: 'count',
            header: t('referrals.statistics.count'),
            align: 'end',
            cell: (row) => number.format(row.count),
          },
        ]}
        rows={data.outcomes}
        rowKey={(row) => row.value}
      />
    </section>
  );
}
