import { useTranslation } from 'react-i18next';
import { Loading, Table } from '../../../ui';
import { LoadError } from '../../identity/organisations/components/notices';
import {
  usePlatformReferralStatistics,
  useReferralStatistics,
  type PlatformReferralStatistics,
  type ReferralStatistics,
} from '../api';
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
      <CountTable
        caption={`${heading} — ${t('referrals.statistics.byState')}`}
        header={t('referrals.list.state')}
        label={(value) => t(`referrals.states.${value}`)}
        rows={data.byState}
      />
      <CountTable
        caption={`${heading} — ${t('referrals.statistics.outcomes')}`}
        header={t('referrals.page.outcome')}
        label={(value) => t(`referrals.outcomes.${value}`)}
        rows={data.outcomes}
      />
    </section>
  );
}

/**
 * A table of counts by value (one per page region, named by its caption). A null count is a small cell the
 * server suppressed: it says so in words, never as zero.
 */
function CountTable<V extends string>({
  caption,
  header,
  label,
  rows,
}: {
  caption: string;
  header: string;
  label: (value: V) => string;
  rows: { value: V; count: number | null }[];
}) {
  const { t, i18n } = useTranslation();
  const number = new Intl.NumberFormat([i18n.resolvedLanguage ?? 'en']);
  return (
    <Table
      caption={caption}
      columns={[
        { key: 'value', header, isRowHeader: true, cell: (row) => label(row.value) },
        {
          key: 'count',
          header: t('referrals.statistics.count'),
          align: 'end',
          cell: (row) =>
            row.count === null ? t('referrals.statistics.suppressed') : number.format(row.count),
        },
      ]}
      rows={rows}
      rowKey={(row) => row.value}
    />
  );
}

/** Platform-wide referral counts for platform staff: counts only, cells below the threshold suppressed. */
export function PlatformReferralStatisticsPage() {
  const { t } = useTranslation();
  return (
    <ReferralsFrame title={t('referrals.platformStatistics.title')} audience="platformStaff">
      {() => <PlatformStatistics />}
    </ReferralsFrame>
  );
}

function PlatformStatistics() {
  const { t, i18n } = useTranslation();
  const statistics = usePlatformReferralStatistics();
  if (statistics.isPending) return <Loading />;
  if (statistics.isError)
    return <LoadError error={statistics.error} onRetry={() => void statistics.refetch()} />;
  const data: PlatformReferralStatistics = statistics.data;
  const number = new Intl.NumberFormat([i18n.resolvedLanguage ?? 'en']);
  const heading = t('referrals.platformStatistics.heading');
  return (
    <section className="cases-section" aria-labelledby="platform-referral-statistics">
      <h2 id="platform-referral-statistics">{heading}</h2>
      <p>{t('referrals.platformStatistics.threshold', { count: data.threshold })}</p>
      <p>
        <strong>{t('referrals.platformStatistics.total')}</strong>{' '}
        {data.total === null ? t('referrals.statistics.suppressed') : number.format(data.total)}
      </p>
      <CountTable
        caption={`${heading} — ${t('referrals.statistics.byState')}`}
        header={t('referrals.list.state')}
        label={(value) => t(`referrals.states.${value}`)}
        rows={data.byState}
      />
      <CountTable
        caption={`${heading} — ${t('referrals.statistics.outcomes')}`}
        header={t('referrals.page.outcome')}
        label={(value) => t(`referrals.outcomes.${value}`)}
        rows={data.byOutcome}
      />
      <CountTable
        caption={`${heading} — ${t('referrals.platformStatistics.byReach')}`}
        header={t('referrals.platformStatistics.reach')}
        label={(value) => t(`referrals.platformStatistics.reaches.${value}`)}
        rows={data.byReach}
      />
    </section>
  );
}
