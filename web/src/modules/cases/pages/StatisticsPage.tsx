import { useTranslation } from 'react-i18next';
import { Loading, Table, type TableColumn } from '../../../ui';
import { EmptyState, LoadError } from '../../identity/organisations/components/notices';
import { countryName } from '../../identity/organisations/countries';
import { useStatistics, type Statistics } from '../api';
import { CasesFrame } from '../CasesFrame';
import { useCaseFormat } from '../format';
import { optionLabel } from '../sections';

type Cell = Statistics['dimensions'][string][number];

/** The vocabulary that names each dimension's values (citizenships are countries). */
const dimensionVocabulary: Record<string, string> = {
  status: 'caseStatuses',
  gender: 'genders',
  traffickingStatus: 'traffickingStatuses',
  exploitationTypes: 'exploitationTypes',
};

/** The order the tables appear in; dimensions the server adds later follow, under their own name. */
const knownDimensions = ['status', 'gender', 'traffickingStatus', 'exploitationTypes', 'citizenships'];

/**
 * The organisation's de-identified statistics for analysts and supervisors: counts of completed cases per
 * value. Counts below the server's threshold arrive empty and read "fewer than N", since a small count can
 * point at a person.
 */
export function StatisticsPage() {
  const { t } = useTranslation();
  return (
    <CasesFrame title={t('cases.statistics.title')} audience="statistics">
      {() => <StatisticsBody />}
    </CasesFrame>
  );
}

function StatisticsBody() {
  const { t } = useTranslation();
  const format = useCaseFormat();
  const statistics = useStatistics();
  if (statistics.isPending) return <Loading />;
  if (statistics.isError)
    return <LoadError error={statistics.error} onRetry={() => void statistics.refetch()} />;
  const { dimensions, threshold, total } = statistics.data;
  const names = [
    ...knownDimensions.filter((name) => name in dimensions),
    ...Object.keys(dimensions).filter((name) => !knownDimensions.includes(name)),
  ];
  const valueLabel = (dimension: string, value: string) => {
    if (dimension === 'citizenships') return countryName(value, format.language);
    const vocabulary = dimensionVocabulary[dimension];
    return vocabulary ? optionLabel(t, vocabulary, value) : value;
  };
  return (
    <>
      <p className="orgs-lead">{t('cases.statistics.total', { count: total })}</p>
      <p className="muted">{t('cases.statistics.intro', { threshold })}</p>
      {names.map((dimension) => {
        const rows = dimensions[dimension] ?? [];
        const headingId = `cases-statistics-${dimension}`;
        const columns: TableColumn<Cell>[] = [
          {
            key: 'value',
            header: t('cases.statistics.value'),
            isRowHeader: true,
            cell: (row) => valueLabel(dimension, row.value),
          },
          {
            key: 'count',
            header: t('cases.statistics.count'),
            align: 'end',
            cell: (row) =>
              row.count === null ? t('cases.statistics.fewerThan', { threshold }) : format.number(row.count),
          },
        ];
        return (
          <section key={dimension} className="cases-section" aria-labelledby={headingId}>
            <h2 id={headingId}>
              {t(`cases.statistics.dimensions.${dimension}`, { defaultValue: dimension })}
            </h2>
            {rows.length === 0 ? (
              <EmptyState>
                <p>{t('cases.statistics.none')}</p>
              </EmptyState>
            ) : (
              <Table
                caption={t('cases.statistics.caption', {
                  dimension: t(`cases.statistics.dimensions.${dimension}`, { defaultValue: dimension }),
                })}
                columns={columns}
                rows={rows}
                rowKey={(row) => row.value}
              />
            )}
          </section>
        );
      })}
    </>
  );
}
