import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Button, Form, Table, type TableColumn } from '../../../ui';
import { lookup, type LookupResult } from '../api';
import { MatchingFrame } from '../components';
import { matchingPaths } from '../paths';
import { Revealed } from '../Revealed';
import { SelectorEditor } from '../SelectorEditor';
import { newSelector, selectorsBody, type SelectorDraft } from '../selectors';
import { useSelectorForm } from '../useSelectorForm';

/** The server's most selectors in one lookup. */
const MAX_LOOKUP = 20;

/** Checks selectors against every other organisation's, storing nothing but the fact of the lookup. */
export function LookupPage() {
  const { t } = useTranslation();
  return (
    <MatchingFrame title={t('matching.lookup.title')} audience={['screener']}>
      {() => <Lookup />}
    </MatchingFrame>
  );
}

type Hit = LookupResult['hits'][number];

function Lookup() {
  const { t } = useTranslation();
  const [selectors, setSelectors] = useState<SelectorDraft[]>(() => [newSelector()]);
  const [result, setResult] = useState<LookupResult | null>(null);
  const form = useSelectorForm(lookup, { fields: [], onSuccess: setResult });

  const submit = () => {
    const errors: Record<string, string> = {};
    form.checkSelectors(selectors, errors);
    if (Object.keys(errors).length > 0) {
      form.setErrors({ fieldErrors: errors });
      return;
    }
    setResult(null);
    form.mutate(selectorsBody(selectors));
  };

  const columns: TableColumn<Hit>[] = [
    {
      key: 'organisation',
      header: t('matching.inbox.organisation'),
      isRowHeader: true,
      cell: (hit) => (
        <Link to={matchingPaths.organisation(hit.organisation.id)}>{hit.organisation.name}</Link>
      ),
    },
    {
      key: 'type',
      header: t('matching.inbox.type'),
      cell: (hit) => t(`matching.matchTypes.${hit.matchType}`),
    },
  ];

  return (
    <>
      <p className="matching__lead">{t('matching.lookup.lead')}</p>
      <Revealed />
      <Form errors={form.errors.fieldErrors} formError={form.errors.formError} onSubmit={submit}>
        <SelectorEditor
          selectors={selectors}
          onChange={setSelectors}
          min={1}
          max={MAX_LOOKUP}
          legend={t('matching.lookup.selectorsLegend')}
          hint={t('matching.lookup.selectorsHint')}
        />
        <Button type="submit" busy={form.isPending}>
          {t('matching.lookup.submit')}
        </Button>
      </Form>
      <div role="status" className="matching-result">
        {result && (
          <section aria-labelledby="lookup-result">
            <h2 id="lookup-result">{t('matching.lookup.result')}</h2>
            {result.hits.length === 0 ? (
              <p>{t('matching.lookup.noHits')}</p>
            ) : (
              <Table
                caption={t('matching.lookup.hits', { count: result.hits.length })}
                columns={columns}
                rows={result.hits}
                rowKey={(hit) => `${hit.organisation.id}-${hit.matchType}`}
              />
            )}
            <p>
              {t('matching.lookup.remaining', {
                person: result.remaining.person,
                organisation: result.remaining.organisation,
              })}
            </p>
          </section>
        )}
      </div>
    </>
  );
}
