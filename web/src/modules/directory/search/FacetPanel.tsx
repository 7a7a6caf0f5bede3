import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TIERS } from '../../identity/organisations/vocabulary';
import { useRegions } from '../profile/api';
import type { SearchResult } from './api';
import { useFilterLabel } from './labels';
import { FACETS, drilledCountry, type Facet, type Filter, type SearchState } from './url-state';

/** Values shown before "show all": enough for the common choices, short enough to scan. */
const SHORT_LIST = 8;
/** Facets open on first visit on a wide screen; the others are one click away. */
const OPEN_AT_START: readonly Facet[] = ['service', 'population', 'country'];
/** Where the filters sit beside the results (search.css); narrower, they come first and start closed. */
const WIDE = '(min-width: 56rem)';

/**
 * The filters beside the results: one collapsible panel per facet, each a list of checkboxes with the
 * number of organisations that have the value within the current results. Chosen values are always
 * listed, even when no result has them any more, so they can be unticked.
 */
export function FacetPanel({
  state,
  facets,
  onToggle,
}: {
  state: SearchState;
  facets: SearchResult['facets'] | undefined;
  onToggle: (filter: Filter, value: string) => void;
}) {
  const { t } = useTranslation();
  // On a phone the filters come before the results: closed, they take a screenful instead of several.
  const [wide] = useState(() => window.matchMedia?.(WIDE).matches ?? true);
  return (
    <div className="dir-facets">
      <h2 className="dir-facets__title">{t('directory.search.filters')}</h2>
      {FACETS.map((facet) =>
        facet === 'region' ? (
          <RegionFacet key={facet} state={state} counts={facets?.region ?? []} onToggle={onToggle} />
        ) : (
          <FacetGroup
            key={facet}
            facet={facet}
            chosen={state.filters[facet]}
            counts={facets?.[facet] ?? []}
            onToggle={onToggle}
            openAtStart={wide && OPEN_AT_START.includes(facet)}
          />
        ),
      )}
      <FacetGroup
        facet="tier"
        chosen={state.filters.tier}
        counts={TIERS.map((tier) => ({ value: tier, count: null }))}
        onToggle={onToggle}
      />
    </div>
  );
}

/** The values of a facet to list: chosen ones first, then the others by count (as the server sorts them). */
export function facetValues(
  chosen: readonly string[],
  counts: readonly { value: string; count: number | null }[],
): { value: string; count: number | null; chosen: boolean }[] {
  const byValue = new Map(counts.map((c) => [c.value, c.count]));
  const first = chosen.map((value) => ({ value, count: byValue.get(value) ?? 0, chosen: true }));
  const rest = counts.filter((c) => !chosen.includes(c.value)).map((c) => ({ ...c, chosen: false }));
  return [...first, ...rest];
}

function FacetGroup({
  facet,
  chosen,
  counts,
  onToggle,
  labelOf,
  openAtStart = false,
}: {
  facet: Filter;
  chosen: readonly string[];
  counts: readonly { value: string; count: number | null }[];
  onToggle: (filter: Filter, value: string) => void;
  labelOf?: (value: string) => string;
  openAtStart?: boolean;
}) {
  const { t } = useTranslation();
  const filterLabel = useFilterLabel();
  const ids = useId();
  const [showAll, setShowAll] = useState(false);
  // Open while something is chosen in it (a chip or the map may choose it), and it stays open after the
  // last value is unticked, so the reader's focus is never inside a panel that just closed.
  const [open, setOpen] = useState(openAtStart || chosen.length > 0);
  if (chosen.length > 0 && !open) setOpen(true);
  const values = facetValues(chosen, counts);
  if (values.length === 0) return null;
  const shown = showAll ? values : values.slice(0, Math.max(SHORT_LIST, chosen.length));
  const name = t(`directory.facets.${facet}`);
  const label = labelOf ?? ((value: string) => filterLabel(facet, value));
  return (
    <details className="dir-facet" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="dir-facet__summary">
        {name}
        {chosen.length > 0 && (
          <span className="dir-facet__chosen">
            {t('directory.search.chosenCount', { count: chosen.length })}
          </span>
        )}
      </summary>
      <fieldset className="dir-facet__body">
        <legend className="visually-hidden">{name}</legend>
        <ul className="dir-facet__list">
          {shown.map((item) => {
            const id = `${ids}-${item.value}`;
            return (
              <li key={item.value} className="dir-facet__item">
                <input
                  type="checkbox"
                  id={id}
                  checked={item.chosen}
                  onChange={() => onToggle(facet, item.value)}
                />
                <label htmlFor={id}>
                  <span className="dir-facet__label">{label(item.value)}</span>
                  {item.count !== null && (
                    <span className="dir-facet__count">
                      <span aria-hidden="true">{item.count}</span>
                      <span className="visually-hidden">
                        {t('directory.search.facetCount', { count: item.count })}
                      </span>
                    </span>
                  )}
                </label>
              </li>
            );
          })}
        </ul>
        {values.length > shown.length && (
          <button type="button" className="button button--quiet" onClick={() => setShowAll(true)}>
            {t('directory.search.showAll', { count: values.length, facet: name })}
          </button>
        )}
        {showAll && values.length > SHORT_LIST && (
          <button type="button" className="button button--quiet" onClick={() => setShowAll(false)}>
            {t('directory.search.showFewer')}
          </button>
        )}
      </fieldset>
    </details>
  );
}

/**
 * Regions only mean something within a country, and the server counts them by code: the facet appears once
 * the search is narrowed to one country, and names its regions from the gazetteer.
 */
function RegionFacet({
  state,
  counts,
  onToggle,
}: {
  state: SearchState;
  counts: readonly { value: string; count: number }[];
  onToggle: (filter: Filter, value: string) => void;
}) {
  const country = drilledCountry(state);
  const regions = useRegions(country ?? '', country !== null);
  if (!country) return null;
  const names = new Map((regions.data ?? []).map((r) => [r.code, r.name]));
  const inCountry = counts.filter((c) => c.value.startsWith(`${country}.`));
  return (
    <FacetGroup
      facet="region"
      chosen={state.filters.region}
      counts={inCountry}
      onToggle={onToggle}
      labelOf={(code) => names.get(code) ?? code}
    />
  );
}
