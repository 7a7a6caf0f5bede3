import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Button, Form, Loading, PageHeading, TextField } from '../../../../ui';
import { RequireSignIn } from '../../../identity/auth/RequireSignIn';
import { SelectField } from '../../../identity/organisations/components/fields';
import { EmptyState, LoadError } from '../../../identity/organisations/components/notices';
import { COUNTRY_CODES, countryName, sortCodesByName } from '../../../identity/organisations/countries';
import { textOf } from '../../../identity/organisations/form-data';
import { useFormat } from '../../../identity/organisations/format';
import { LANGUAGE_CODES } from '../../vocabulary';
import { languageName } from '../../profile/present';
import { usePeopleSearch } from '../api';
import { EXPERTISE, expertiseKey, peopleFiltersFrom, peopleParamsOf } from '../people';
import { PersonCard } from './PersonCard';
import { PeopleTabs } from './PeopleTabs';
import '../../../identity/organisations/organisations.css';
import '../../profile/profile.css';
import '../people.css';

/** "People": find professionals of member organisations by expertise, language, country or name. */
export function PeopleSearchPage() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <PageHeading>{t('people.search.title')}</PageHeading>
      <RequireSignIn>
        <PeopleTabs />
        <p className="orgs-lead">{t('people.search.intro')}</p>
        <PeopleSearch />
      </RequireSignIn>
    </div>
  );
}

function PeopleSearch() {
  const { t } = useTranslation();
  const format = useFormat();
  // The filters live in the address, so a search can be bookmarked, shared and returned to with Back.
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => peopleFiltersFrom(params), [params]);
  const search = usePeopleSearch(filters);
  const people = search.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Object.values(filters).some((value) => value !== undefined);

  const expertiseOptions = useMemo(
    () => EXPERTISE.map((code) => ({ value: code, label: t(expertiseKey(code)) })),
    [t],
  );
  const languageOptions = useMemo(() => {
    const collator = new Intl.Collator([format.language]);
    return LANGUAGE_CODES.map((code) => ({ value: code, label: languageName(code, format.language) })).sort(
      (a, b) => collator.compare(a.label, b.label),
    );
  }, [format.language]);
  const countryOptions = useMemo(
    () =>
      sortCodesByName(COUNTRY_CODES, format.language).map((code) => ({
        value: code,
        label: countryName(code, format.language),
      })),
    [format.language],
  );

  const onFilter = (data: FormData) => {
    const next = peopleFiltersFrom(
      new URLSearchParams(
        ['q', 'expertise', 'language', 'country'].map(
          (name) => [name, textOf(data, name)] as [string, string],
        ),
      ),
    );
    setParams(peopleParamsOf(next), { replace: true });
  };

  return (
    <>
      {/* Re-mounted when the address changes, so Back and "clear" show the filters actually applied. */}
      <Form
        key={params.toString()}
        onSubmit={onFilter}
        className="orgs-filters"
        role="search"
        aria-label={t('people.search.filtersLabel')}
      >
        <TextField
          name="q"
          type="search"
          label={t('people.search.text')}
          hint={t('people.search.textHint')}
          defaultValue={filters.q ?? ''}
          maxLength={100}
        />
        <SelectField
          name="expertise"
          label={t('people.fields.expertise')}
          options={expertiseOptions}
          placeholder={t('people.search.any')}
          defaultValue={filters.expertise ?? ''}
        />
        <SelectField
          name="language"
          label={t('people.search.language')}
          options={languageOptions}
          placeholder={t('people.search.any')}
          defaultValue={filters.language ?? ''}
        />
        <SelectField
          name="country"
          label={t('people.search.country')}
          options={countryOptions}
          placeholder={t('people.search.any')}
          defaultValue={filters.country ?? ''}
        />
        <div className="actions orgs-filters__actions">
          <Button type="submit">{t('people.search.submit')}</Button>
          {filtered && (
            <Link to="?" replace>
              {t('people.search.clear')}
            </Link>
          )}
        </div>
      </Form>

      <section aria-labelledby="people-results" aria-busy={search.isFetching || undefined}>
        <h2 id="people-results">{t('people.search.results')}</h2>
        {search.isPending ? (
          <Loading />
        ) : search.isError ? (
          <LoadError error={search.error} onRetry={() => void search.refetch()} />
        ) : people.length === 0 ? (
          <EmptyState>
            <p>{t(filtered ? 'people.search.noMatch' : 'people.search.none')}</p>
          </EmptyState>
        ) : (
          <>
            <p className="people-meta" role="status">
              {t(search.hasNextPage ? 'people.search.shownMore' : 'people.search.shown', {
                count: people.length,
              })}
            </p>
            <ul className="people-cards">
              {people.map((person) => (
                <li key={person.personId}>
                  <PersonCard person={person} />
                </li>
              ))}
            </ul>
            {search.hasNextPage && (
              <Button
                variant="secondary"
                busy={search.isFetchingNextPage}
                onClick={() => void search.fetchNextPage()}
              >
                {t('people.search.more')}
              </Button>
            )}
          </>
        )}
      </section>
    </>
  );
}
