import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Button, Loading, PageHeading } from '../../../ui';
import { LoadError } from '../../identity/organisations/components/notices';
import { ExportLinks } from '../import/ExportLinks';
import { useRegions } from '../profile/api';
import { useDirectorySearch } from './api';
import { useFilterLabel } from './labels';
import { FacetPanel } from './FacetPanel';
import { PlaceCombobox } from './PlaceCombobox';
import { ResultsList } from './ResultsList';
import {
  FILTERS,
  PAGE_SIZE,
  clearFilters,
  drilledCountry,
  filterCount,
  parseSearch,
  roundPoint,
  searchParamsOf,
  searchQueryOf,
  searchString,
  toggleFilter,
  type Filter,
  type Go,
  type SearchState,
  type Sort,
} from './url-state';
import '../../identity/organisations/organisations.css';
import '../profile/profile.css';
import './search.css';

// The map (d3-geo, topojson and the world atlas, about 150 kB) is downloaded only when someone opens it.
const MapView = lazy(() => import('../map/MapView').then((m) => ({ default: m.MapView })));

/**
 * The search held in the address, and a way to change it. Changes build on the last search asked for, not
 * the last one rendered: two quick changes (a service, then a population) must not have the second undo the
 * first while the address is still catching up with it. A change of address from elsewhere (Back, a link)
 * is taken as it comes.
 */
function useSearchState(): { state: SearchState; go: Go } {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => parseSearch(params), [params]);
  const latest = useRef(state);
  // Addresses asked for and not rendered yet, oldest first.
  const pending = useRef<string[]>([]);
  useEffect(() => {
    const rendered = searchParamsOf(state).toString();
    const index = pending.current.indexOf(rendered);
    pending.current = index >= 0 ? pending.current.slice(index + 1) : [];
    if (pending.current.length === 0) latest.current = state;
  }, [state]);
  const go: Go = useCallback(
    (change) => {
      const next = change(latest.current);
      latest.current = next;
      const query = searchParamsOf(next);
      pending.current.push(query.toString());
      setParams(query);
    },
    [setParams],
  );
  return { state, go };
}

/**
 * The directory: one search box, facets with counts, sorting by relevance, distance or name, results a page
 * at a time, and a map. Everything lives in the address, so a search can be shared and Back undoes a step.
 * Visitors search the public directory; members see more because the server answers them with more.
 */
export function SearchPage() {
  const { t } = useTranslation();
  const { state, go } = useSearchState();
  const search = useDirectorySearch(searchQueryOf(state));
  const onToggle = useCallback(
    (filter: Filter, value: string) => go((current) => toggleFilter(current, filter, value)),
    [go],
  );

  return (
    <div className="dir-search">
      <PageHeading>{t('directory.search.title')}</PageHeading>
      <p className="orgs-lead">{t('directory.search.intro')}</p>
      <SearchBox key={state.q} state={state} go={go} />

      <div className="dir-search__layout">
        <aside className="dir-search__filters" aria-label={t('directory.search.filters')}>
          <FacetPanel state={state} facets={search.data?.facets} onToggle={onToggle} />
        </aside>
        <div className="dir-search__main">
          <div className="dir-search__tools">
            <ViewSwitch state={state} />
            <SortChoice state={state} go={go} />
          </div>
          <NearControls state={state} go={go} />
          <ActiveFilters state={state} go={go} onToggle={onToggle} />

          {state.view === 'map' && (
            <Suspense fallback={<Loading label={t('directory.map.loading')} />}>
              <MapView state={state} go={go} />
            </Suspense>
          )}

          <Results state={state} search={search} go={go} />
          {/* Members download what they searched (the same filters), as CSV or HTCDS records. */}
          <ExportLinks params={searchParamsOf(state)} />
        </div>
      </div>
    </div>
  );
}

/** The search box: the text is sent when the reader asks, not at every letter. */
function SearchBox({ state, go }: { state: SearchState; go: Go }) {
  const { t } = useTranslation();
  const [text, setText] = useState(state.q);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    go((current) => ({ ...current, q: text.trim(), page: 1 }));
  };
  return (
    <form
      role="search"
      className="dir-searchbox"
      onSubmit={submit}
      aria-label={t('directory.search.searchLabel')}
    >
      <label htmlFor="directory-q" className="field__label">
        {t('directory.search.query')}
      </label>
      <p id="directory-q-hint" className="field__hint">
        {t('directory.search.queryHint')}
      </p>
      <div className="dir-searchbox__row">
        <input
          id="directory-q"
          name="q"
          type="search"
          className="field__input"
          value={text}
          maxLength={200}
          autoComplete="off"
          aria-describedby="directory-q-hint"
          onChange={(event) => setText(event.target.value)}
        />
        <Button type="submit">{t('directory.search.submit')}</Button>
      </div>
    </form>
  );
}

/** List or map: links, so each view has its own address. */
function ViewSwitch({ state }: { state: SearchState }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('directory.search.viewLabel')} className="dir-views">
      <ul>
        {(['list', 'map'] as const).map((view) => (
          <li key={view}>
            <Link
              to={{ search: searchString({ ...state, view }) }}
              aria-current={state.view === view ? 'page' : undefined}
              className="dir-views__link"
            >
              {t(`directory.search.views.${view}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function SortChoice({ state, go }: { state: SearchState; go: Go }) {
  const { t } = useTranslation();
  const hasPoint = state.near !== null || state.placeId !== null;
  const sorts: Sort[] = hasPoint ? ['relevance', 'distance', 'name'] : ['relevance', 'name'];
  return (
    <div className="dir-sort">
      <label htmlFor="directory-sort">{t('directory.search.sortLabel')}</label>
      <select
        id="directory-sort"
        className="field__input orgs-select"
        value={state.sort}
        onChange={(event) => {
          const sort = sorts.find((s) => s === event.target.value);
          if (sort) go((current) => ({ ...current, sort, page: 1 }));
        }}
      >
        {sorts.map((sort) => (
          <option key={sort} value={sort}>
            {t(`directory.search.sort.${sort}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** "Near me" (the browser's position, if the reader allows it) or "near a place" from the gazetteer. */
function NearControls({ state, go }: { state: SearchState; go: Go }) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState<string | null>(null);
  const [locating, setLocating] = useState(false);

  const nearMe = () => {
    if (!('geolocation' in navigator)) {
      setProblem(t('directory.search.near.unsupported'));
      return;
    }
    setLocating(true);
    setProblem(null);
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setLocating(false);
        const near = roundPoint(position.coords.latitude, position.coords.longitude);
        go((current) => ({ ...current, near, placeId: null, placeName: null, sort: 'distance', page: 1 }));
      },
      (error) => {
        setLocating(false);
        setProblem(
          t(
            error.code === error.PERMISSION_DENIED
              ? 'directory.search.near.denied'
              : 'directory.search.near.failed',
          ),
        );
      },
      // A rough, possibly cached position is enough to sort by distance and is quicker on a weak signal.
      { enableHighAccuracy: false, timeout: 20_000, maximumAge: 10 * 60_000 },
    );
  };

  const stop = () => {
    setProblem(null);
    go((current) => ({
      ...current,
      near: null,
      placeId: null,
      placeName: null,
      sort: current.sort === 'distance' ? 'relevance' : current.sort,
      page: 1,
    }));
  };

  return (
    <section className="dir-near" aria-labelledby="directory-near-title">
      <h2 id="directory-near-title" className="dir-near__title">
        {t('directory.search.near.title')}
      </h2>
      <div className="dir-near__row">
        <Button variant="secondary" busy={locating} onClick={nearMe}>
          {t('directory.search.near.me')}
        </Button>
        <PlaceCombobox
          key={state.placeId ?? 'none'}
          name="near-place"
          label={t('directory.search.near.place')}
          value={
            state.placeId !== null
              ? {
                  id: state.placeId,
                  name: state.placeName ?? String(state.placeId),
                  country: null,
                  regionName: null,
                }
              : null
          }
          onChange={(place) => {
            if (!place) return;
            setProblem(null);
            const placeName = [place.name, place.regionName].filter(Boolean).join(', ');
            go((current) => ({
              ...current,
              placeId: place.id,
              placeName,
              near: null,
              sort: 'distance',
              page: 1,
            }));
          }}
        />
      </div>
      {/* role=alert: a refused or failed location must be heard, not only seen. */}
      {problem && (
        <p className="notice notice--error dir-near__problem" role="alert">
          {problem}
        </p>
      )}
      {(state.near || state.placeId !== null) && (
        <p className="dir-near__active">
          {state.near
            ? t('directory.search.near.fromMe')
            : t('directory.search.near.fromPlace', { place: state.placeName ?? '' })}{' '}
          <Button variant="quiet" onClick={stop}>
            {t('directory.search.near.stop')}
          </Button>
        </p>
      )}
    </section>
  );
}

/** The chosen filters as buttons that remove them, and a way to remove them all. */
function ActiveFilters({
  state,
  go,
  onToggle,
}: {
  state: SearchState;
  go: Go;
  onToggle: (filter: Filter, value: string) => void;
}) {
  const { t } = useTranslation();
  const country = drilledCountry(state);
  const regions = useRegions(country ?? '', country !== null && state.filters.region.length > 0);
  const regionNames = useMemo(
    () => new Map((regions.data ?? []).map((r) => [r.code, r.name])),
    [regions.data],
  );
  const label = useFilterLabel(regionNames);
  const count = filterCount(state);
  if (count === 0) return null;
  return (
    <section className="dir-active" aria-labelledby="directory-active-title">
      <h2 id="directory-active-title" className="visually-hidden">
        {t('directory.search.activeTitle', { count })}
      </h2>
      <ul className="orgs-chips">
        {FILTERS.flatMap((filter) =>
          state.filters[filter].map((value) => (
            <li key={`${filter}:${value}`}>
              <button type="button" className="orgs-chip" onClick={() => onToggle(filter, value)}>
                <span aria-hidden="true">
                  {t(`directory.facets.${filter}`)}: {label(filter, value)}
                </span>
                <span className="visually-hidden">
                  {t('directory.search.removeFilter', {
                    filter: t(`directory.facets.${filter}`),
                    value: label(filter, value),
                  })}
                </span>
                <span aria-hidden="true" className="orgs-chip__remove">
                  ×
                </span>
              </button>
            </li>
          )),
        )}
      </ul>
      {count > 1 && (
        <Button variant="quiet" onClick={() => go(clearFilters)}>
          {t('directory.search.clearFilters')}
        </Button>
      )}
    </section>
  );
}

function Results({
  state,
  search,
  go,
}: {
  state: SearchState;
  search: ReturnType<typeof useDirectorySearch>;
  go: Go;
}) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  // Another page of the same results replaces the list under the reader, so their focus goes to its
  // heading. Any other change (a filter, which also goes back to page 1) leaves focus where they are.
  const searchWithoutPage = searchString({ ...state, page: 1 });
  const shown = useRef({ search: searchWithoutPage, page: state.page });
  useEffect(() => {
    const before = shown.current;
    shown.current = { search: searchWithoutPage, page: state.page };
    if (before.search === searchWithoutPage && before.page !== state.page) heading.current?.focus();
  }, [searchWithoutPage, state.page]);

  if (search.isPending) return <Loading label={t('directory.search.searching')} />;
  if (search.isError) return <LoadError error={search.error} onRetry={() => void search.refetch()} />;
  const { total, items } = search.data;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const from = (state.page - 1) * PAGE_SIZE + 1;
  return (
    <section
      className="dir-search__results"
      aria-labelledby="directory-results-title"
      aria-busy={search.isPlaceholderData}
    >
      <h2 id="directory-results-title" ref={heading} tabIndex={-1}>
        {t('directory.search.resultsTitle')}
      </h2>
      {/* Announced after every change of the search, so screen-reader users hear what it did. */}
      <p className="dir-search__count" role="status">
        {total === 0
          ? t('directory.search.none')
          : t('directory.search.count', { count: total, from, to: Math.max(from, from + items.length - 1) })}
      </p>
      {total === 0 ? (
        <div className="orgs-empty">
          <p>{t('directory.search.noneHint')}</p>
          {filterCount(state) > 0 && (
            <Button variant="secondary" onClick={() => go(clearFilters)}>
              {t('directory.search.clearFilters')}
            </Button>
          )}
        </div>
      ) : items.length === 0 ? (
        // An old link can point past the last page once organisations have left the results.
        <div className="orgs-empty">
          <p>{t('directory.search.pastEnd')}</p>
          <Link to={{ search: searchString({ ...state, page: 1 }) }}>{t('directory.search.firstPage')}</Link>
        </div>
      ) : (
        <ResultsList items={items} search={searchString(state)} />
      )}
      {pages > 1 && <Pager state={state} pages={pages} />}
    </section>
  );
}

/** Previous and next pages as links, so each page of results has its own address. */
function Pager({ state, pages }: { state: SearchState; pages: number }) {
  const { t } = useTranslation();
  const page = Math.min(state.page, pages);
  return (
    <nav className="orgs-pager dir-pager" aria-label={t('directory.search.pages')}>
      {page > 1 && (
        <Link to={{ search: searchString({ ...state, page: page - 1 }) }} rel="prev">
          {t('directory.search.previous')}
        </Link>
      )}
      <span className="orgs-pager__status">{t('directory.search.pageOf', { page, pages })}</span>
      {page < pages && (
        <Link to={{ search: searchString({ ...state, page: page + 1 }) }} rel="next">
          {t('directory.search.next')}
        </Link>
      )}
    </nav>
  );
}
