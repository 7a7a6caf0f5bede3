import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { TierBadge } from '../../identity/organisations/components/badges';
import { formatCountryList } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import type { FromSearchState } from '../profile/ProfilePage';
import { vocabularyKey } from '../vocabulary';
import type { SearchHit } from './api';

/** Services named on a result before "and N more": the card stays short on a phone. */
const SERVICES_SHOWN = 5;

/** Formats a distance in kilometres in the reader's language ("12 km", "3.4 km"). */
export function formatDistance(km: number, language: string): string {
  return new Intl.NumberFormat([language], {
    style: 'unit',
    unit: 'kilometer',
    maximumFractionDigits: km < 10 ? 1 : 0,
  }).format(km);
}

/** The results of a search, as a list of cards that link to each profile. */
export function ResultsList({ items, search }: { items: readonly SearchHit[]; search: string }) {
  return (
    <ol className="dir-results">
      {items.map((hit) => (
        <ResultCard key={hit.organisationId} hit={hit} search={search} />
      ))}
    </ol>
  );
}

function ResultCard({ hit, search }: { hit: SearchHit; search: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const state: FromSearchState = { fromSearch: search };
  const services = hit.services.slice(0, SERVICES_SHOWN);
  const more = hit.services.length - services.length;
  return (
    <li className="dir-result">
      <h3 className="dir-result__name">
        <Link to={`/directory/organisations/${hit.organisationId}`} state={state}>
          {hit.name}
        </Link>
      </h3>
      <p className="orgs-badges dir-result__badges">
        <span className="orgs-badge orgs-badge--neutral">{t(`orgs.types.${hit.type}`)}</span>{' '}
        <TierBadge tier={hit.tier} />
        {hit.distanceKm !== null && (
          <span className="dir-result__distance">
            {t('directory.search.distance', { distance: formatDistance(hit.distanceKm, format.language) })}
          </span>
        )}
      </p>
      {hit.summary && (
        <p className="dir-result__summary" lang={hit.summaryLanguage ?? undefined} dir="auto">
          {hit.summary}
        </p>
      )}
      {hit.countries.length > 0 && (
        <p className="dir-result__line">
          <span className="dir-result__key">{t('directory.search.worksIn')}</span>{' '}
          {formatCountryList(hit.countries, format.language)}
        </p>
      )}
      {services.length > 0 && (
        <p className="dir-result__line">
          <span className="dir-result__key">{t('directory.search.offers')}</span>{' '}
          {services.map((code) => t(vocabularyKey('services', code))).join(', ')}
          {more > 0 && ` ${t('directory.search.andMore', { count: more })}`}
        </p>
      )}
    </li>
  );
}
