import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { Button, Form, Loading, PageHeading, Table, type TableColumn } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { SelectField } from '../../../identity/organisations/components/fields';
import { EmptyState, LoadError } from '../../../identity/organisations/components/notices';
import { countriesFor, countryName } from '../../../identity/organisations/countries';
import { textOf } from '../../../identity/organisations/form-data';
import { useFormat } from '../../../identity/organisations/format';
import { useUnmetNeeds, type UnmetNeed } from '../api';
import '../../../identity/organisations/organisations.css';
import '../support.css';

const WINDOWS = [3, 6, 12, 24] as const;

/**
 * What was asked and nobody could offer, by country and service (platform staff): where the network has
 * gaps worth filling. Counts only — no request or organisation is named.
 */
export function UnmetNeedsPage() {
  const { t } = useTranslation();
  return (
    <div className="page support-page">
      <PageHeading>{t('support.unmet.title')}</PageHeading>
      <RequireSignIn>
        <UnmetNeeds />
      </RequireSignIn>
    </div>
  );
}

function UnmetNeeds() {
  const { t } = useTranslation();
  const format = useFormat();
  const [params, setParams] = useSearchParams();
  const months = WINDOWS.find((w) => String(w) === params.get('months')) ?? 12;
  const country = /^[A-Z]{2}$/.test(params.get('country') ?? '') ? (params.get('country') ?? '') : '';
  const unmet = useUnmetNeeds(months, country);
  const countries = useMemo(() => countriesFor(format.language), [format.language]);

  const columns: TableColumn<UnmetNeed>[] = [
    {
      key: 'country',
      header: t('support.unmet.country'),
      isRowHeader: true,
      cell: (row) => countryName(row.country, format.language),
    },
    {
      key: 'service',
      header: t('support.unmet.service'),
      cell: (row) => t(`directory.vocabulary.services.${row.service}`),
    },
    { key: 'total', header: t('support.unmet.total'), align: 'end', cell: (row) => row.total },
    { key: 'declined', header: t('support.unmet.allDeclined'), align: 'end', cell: (row) => row.allDeclined },
    {
      key: 'closed',
      header: t('support.unmet.closedUnanswered'),
      align: 'end',
      cell: (row) => row.closedUnanswered,
    },
    { key: 'waiting', header: t('support.unmet.waiting'), align: 'end', cell: (row) => row.waiting },
  ];

  return (
    <>
      <p>{t('support.unmet.intro')}</p>
      <Form
        className="support-filters"
        aria-label={t('support.unmet.filters')}
        onSubmit={(data) => {
          const next = new URLSearchParams();
          next.set('months', textOf(data, 'months'));
          const chosen = textOf(data, 'country');
          if (chosen) next.set('country', chosen);
          setParams(next);
        }}
      >
        <SelectField
          name="months"
          label={t('support.unmet.window')}
          defaultValue={String(months)}
          options={WINDOWS.map((w) => ({ value: String(w), label: t('support.unmet.months', { count: w }) }))}
        />
        <SelectField
          name="country"
          label={t('support.unmet.country')}
          defaultValue={country}
          placeholder={t('support.unmet.allCountries')}
          options={countries.map((c) => ({ value: c.code, label: c.name }))}
        />
        <div className="actions">
          <Button type="submit" variant="secondary">
            {t('support.unmet.apply')}
          </Button>
        </div>
      </Form>
      {unmet.isPending ? (
        <Loading />
      ) : unmet.isError ? (
        <LoadError error={unmet.error} onRetry={() => void unmet.refetch()} />
      ) : unmet.data.items.length === 0 ? (
        <EmptyState>
          <p>{t('support.unmet.none')}</p>
        </EmptyState>
      ) : (
        <>
          <Table
            caption={t('support.unmet.caption', { months, since: format.date(unmet.data.since) })}
            columns={columns}
            rows={unmet.data.items}
            rowKey={(row) => `${row.country}-${row.service}`}
          />
          <p className="muted">{t('support.unmet.explain')}</p>
        </>
      )}
    </>
  );
}
