import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Button, Loading, PageHeading, Table, type TableColumn } from '../../../ui';
import { useAtlas } from '../../directory/map/MapView';
import {
  MAP_HEIGHT,
  MAP_WIDTH,
  centreOfShape,
  countryPaths,
  projectionFor,
  type CountryShape,
} from '../../directory/map/geometry';
import { markerRadius } from '../../directory/map/gaps';
import { useRegions } from '../../directory/profile/api';
import { vocabularyKey } from '../../directory/vocabulary';
import { SelectField } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { countriesFor } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import { csvHref, useJourneyMap, type Flow, type Hotspot, type JourneyMap, type MapLevel } from '../api';
import { arcPath, drawable, flowWidth, roleOffset, timelineYears } from '../flows';
import { journeyPaths } from '../paths';
import { useJourneyRoles } from '../roles';
import { mapFilterParams, parseMapFilters, toggleYear, withoutEmpty, type MapFilters } from '../url-state';
import {
  EARLIEST_YEAR,
  EXPLOITATION_TYPES,
  INDUSTRIES,
  NATIONALITY_BANDS,
  isOneOf,
  journeyVocabularyKey,
} from '../vocabulary';
import '../journeys.css';

/** The public journey map: country-to-country flows, for everyone, without signing in. */
export function PublicMapPage() {
  return <MapPage level="public" />;
}

/**
 * The member journey map: flows down to first-level regions around a chosen country, for members of vetted
 * organisations.
 */
export function MemberMapPage() {
  return <MapPage level="member" />;
}

/**
 * A journey map: filters kept in the address, the map drawn as SVG, a timeline by year, and tables with the
 * same numbers beside it (the tables are what keyboard and screen-reader users read, and what is exported).
 * Every number comes from the server, which leaves out any cell of fewer than k people and any cell that
 * would let one be recovered by subtraction; this page shows those as "not shown" and computes nothing.
 */
function MapPage({ level }: { level: MapLevel }) {
  const { t } = useTranslation();
  const roles = useJourneyRoles();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseMapFilters(params, level === 'member'), [params, level]);
  const map = useJourneyMap(level, filters);
  const atlas = useAtlas();
  const go = (next: MapFilters) => setParams(mapFilterParams(withoutEmpty(next)), { replace: false });

  return (
    <div className="journeys">
      <PageHeading>
        {t(level === 'public' ? 'journeys.map.publicTitle' : 'journeys.map.memberTitle')}
      </PageHeading>
      <p className="journeys__lead">
        {t(level === 'public' ? 'journeys.map.publicLead' : 'journeys.map.memberLead')}
      </p>
      <p className="journeys__links">
        {level === 'public' && roles.member && (
          <Link to={journeyPaths.memberMap}>{t('journeys.map.toMember')}</Link>
        )}
        {level === 'member' && <Link to={journeyPaths.publicMap}>{t('journeys.map.toPublic')}</Link>}
        {roles.contributor && <Link to={journeyPaths.contribute}>{t('journeys.nav.contribute')}</Link>}
      </p>
      <Filters level={level} filters={filters} go={go} />
      {map.isPending || atlas.isPending ? (
        <Loading label={t('journeys.map.loading')} />
      ) : map.isError ? (
        <LoadError error={map.error} onRetry={() => void map.refetch()} />
      ) : atlas.isError ? (
        <LoadError error={atlas.error} onRetry={() => void atlas.refetch()} />
      ) : (
        <MapBody level={level} map={map.data} shapes={atlas.data} filters={filters} go={go} />
      )}
    </div>
  );
}

function Filters({
  level,
  filters,
  go,
}: {
  level: MapLevel;
  filters: MapFilters;
  go: (f: MapFilters) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const countries = useMemo(() => countriesFor(format.language), [format.language]);
  const country = filters.area?.slice(0, 2);
  const regions = useRegions(country ?? '', level === 'member' && country !== undefined);
  const thisYear = new Date().getUTCFullYear();
  const years = Array.from({ length: thisYear - EARLIEST_YEAR + 1 }, (_, i) => String(thisYear - i));
  const yearOptions = years.map((year) => ({ value: year, label: year }));
  const set = (key: keyof MapFilters, value: string | number | undefined) =>
    go({ ...filters, [key]: value === '' ? undefined : value });

  return (
    <fieldset className="orgs-group journeys-filters">
      <legend className="field__label">{t('journeys.filters.legend')}</legend>
      <div className="journeys-filters__fields">
        <SelectField
          name="fromYear"
          label={t('journeys.filters.fromYear')}
          placeholder={t('journeys.filters.any')}
          options={yearOptions}
          value={filters.fromYear !== undefined ? String(filters.fromYear) : ''}
          onChange={(event) => {
            const year = event.target.value ? Number(event.target.value) : undefined;
            go({
              ...filters,
              fromYear: year,
              toYear:
                year !== undefined && filters.toYear !== undefined && filters.toYear < year
                  ? year
                  : filters.toYear,
            });
          }}
        />
        <SelectField
          name="toYear"
          label={t('journeys.filters.toYear')}
          placeholder={t('journeys.filters.any')}
          options={yearOptions.filter(
            (o) => filters.fromYear === undefined || Number(o.value) >= filters.fromYear,
          )}
          value={filters.toYear !== undefined ? String(filters.toYear) : ''}
          onChange={(event) => set('toYear', event.target.value ? Number(event.target.value) : undefined)}
        />
        <SelectField
          name="exploitationType"
          label={t('journeys.filters.exploitationType')}
          placeholder={t('journeys.filters.any')}
          options={EXPLOITATION_TYPES.map((code) => ({
            value: code,
            label: t(vocabularyKey('exploitationTypes', code)),
          }))}
          value={filters.exploitationType ?? ''}
          onChange={(event) =>
            set(
              'exploitationType',
              isOneOf(EXPLOITATION_TYPES, event.target.value) ? event.target.value : undefined,
            )
          }
        />
        <SelectField
          name="industry"
          label={t('journeys.filters.industry')}
          placeholder={t('journeys.filters.any')}
          options={INDUSTRIES.map((code) => ({ value: code, label: t(vocabularyKey('industries', code)) }))}
          value={filters.industry ?? ''}
          onChange={(event) =>
            set('industry', isOneOf(INDUSTRIES, event.target.value) ? event.target.value : undefined)
          }
        />
        <SelectField
          name="nationalityBand"
          label={t('journeys.filters.nationalityBand')}
          placeholder={t('journeys.filters.any')}
          options={NATIONALITY_BANDS.map((code) => ({
            value: code,
            label: t(journeyVocabularyKey('nationalityBands', code)),
          }))}
          value={filters.nationalityBand ?? ''}
          onChange={(event) =>
            set(
              'nationalityBand',
              isOneOf(NATIONALITY_BANDS, event.target.value) ? event.target.value : undefined,
            )
          }
        />
        <SelectField
          name="country"
          label={t('journeys.filters.country')}
          hint={t('journeys.filters.countryHint')}
          placeholder={t('journeys.filters.anyCountry')}
          options={countries.map((c) => ({ value: c.code, label: c.name }))}
          value={country ?? ''}
          onChange={(event) => set('area', event.target.value || undefined)}
        />
        {level === 'member' && country && (
          <SelectField
            name="region"
            label={t('journeys.filters.region')}
            placeholder={t('journeys.filters.wholeCountry')}
            options={(regions.data ?? []).map((r) => ({ value: r.code, label: r.name }))}
            value={filters.area && filters.area.includes('.') ? filters.area : ''}
            onChange={(event) => set('area', event.target.value || country)}
          />
        )}
      </div>
      <Button variant="secondary" onClick={() => go({})} disabled={Object.keys(filters).length === 0}>
        {t('journeys.filters.clear')}
      </Button>
    </fieldset>
  );
}

const ROLE_ORDER: readonly Hotspot['role'][] = ['origin', 'transit', 'exploitation', 'destination'];

function MapBody({
  level,
  map,
  shapes,
  filters,
  go,
}: {
  level: MapLevel;
  map: JourneyMap;
  shapes: CountryShape[];
  filters: MapFilters;
  go: (f: MapFilters) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const ids = useId();
  const number = useMemo(() => new Intl.NumberFormat([format.language]), [format.language]);
  const projection = useMemo(() => projectionFor(null), []);
  const paths = useMemo(() => countryPaths(shapes, projection), [shapes, projection]);
  const drawn = drawable(map.flows, map.hotspots);
  const pointOf = (code: string): [number, number] | null => {
    const centre = centreOfShape(shapes, code);
    const xy = centre ? projection(centre) : null;
    return xy ? [xy[0], xy[1]] : null;
  };
  const largestFlow = Math.max(0, ...drawn.flows.map((f) => f.people));
  const largestHotspot = Math.max(0, ...drawn.hotspots.map((h) => h.people));
  const active = new Set(drawn.hotspots.map((h) => h.area));

  const description =
    map.flows.length === 0
      ? t('journeys.map.describeNone', { k: map.k })
      : t('journeys.map.describe', {
          count: map.flows.length,
          top: `${map.flows[0]!.fromName} → ${map.flows[0]!.toName}`,
          people: number.format(map.flows[0]!.people),
        });
  const levelLabel = (row: { level: string }) => t(`journeys.table.levels.${row.level}`);
  const flowColumns: TableColumn<Flow>[] = [
    {
      key: 'route',
      header: t('journeys.table.flow'),
      cell: (f) => t('journeys.table.fromTo', { from: f.fromName, to: f.toName }),
      isRowHeader: true,
    },
    ...(level === 'member' ? [{ key: 'level', header: t('journeys.table.level'), cell: levelLabel }] : []),
    { key: 'people', header: t('journeys.table.people'), cell: (f) => number.format(f.people), align: 'end' },
  ];
  const hotspotColumns: TableColumn<Hotspot>[] = [
    { key: 'area', header: t('journeys.table.area'), cell: (h) => h.areaName, isRowHeader: true },
    ...(level === 'member' ? [{ key: 'level', header: t('journeys.table.level'), cell: levelLabel }] : []),
    { key: 'role', header: t('journeys.table.role'), cell: (h) => t(journeyVocabularyKey('roles', h.role)) },
    { key: 'people', header: t('journeys.table.people'), cell: (h) => number.format(h.people), align: 'end' },
  ];
  const hotspots = [...map.hotspots].sort(
    (a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || b.people - a.people,
  );

  return (
    <>
      <p className="journeys__total" aria-live="polite">
        {map.total === null
          ? t('journeys.map.totalHidden', { k: map.k })
          : t('journeys.map.total', { count: map.total, people: number.format(map.total) })}
      </p>
      <div className="journeys-map">
        <figure className="journeys-map__figure">
          <svg
            className="dir-map__svg"
            viewBox={`0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`}
            role="img"
            aria-labelledby={`${ids}-title ${ids}-desc`}
          >
            <title id={`${ids}-title`}>
              {t(level === 'public' ? 'journeys.map.publicTitle' : 'journeys.map.memberTitle')}
            </title>
            <desc id={`${ids}-desc`}>{description}</desc>
            <defs>
              <marker
                id={`${ids}-arrow`}
                viewBox="0 0 10 10"
                refX="8"
                refY="5"
                markerWidth="4"
                markerHeight="4"
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" className="journeys-map__arrow" />
              </marker>
            </defs>
            <rect width={MAP_WIDTH} height={MAP_HEIGHT} className="dir-map__sea" />
            {[...paths].map(([code, d]) => (
              <path
                key={code}
                d={d}
                className={`journeys-map__country${active.has(code) ? ' journeys-map__country--active' : ''}`}
              />
            ))}
            {drawn.flows.map((flow) => {
              const from = pointOf(flow.from);
              const to = pointOf(flow.to);
              if (!from || !to) return null;
              return (
                <path
                  key={`${flow.from}>${flow.to}`}
                  d={arcPath(from, to)}
                  className="journeys-map__flow"
                  strokeWidth={flowWidth(flow.people, largestFlow)}
                  markerEnd={`url(#${ids}-arrow)`}
                >
                  <title>
                    {t('journeys.map.flowTitle', {
                      from: flow.fromName,
                      to: flow.toName,
                      people: number.format(flow.people),
                    })}
                  </title>
                </path>
              );
            })}
            {drawn.hotspots.map((hotspot) => {
              const point = pointOf(hotspot.area);
              if (!point) return null;
              const r = markerRadius(hotspot.people, largestHotspot, 3, 14);
              const [dx, dy] = roleOffset(hotspot.role, r);
              return (
                <circle
                  key={`${hotspot.area}:${hotspot.role}`}
                  cx={point[0] + dx}
                  cy={point[1] + dy}
                  r={r}
                  className={`journeys-map__hotspot journeys-map__hotspot--${hotspot.role}`}
                >
                  <title>
                    {t('journeys.map.hotspotTitle', {
                      area: hotspot.areaName,
                      role: t(journeyVocabularyKey('roles', hotspot.role)),
                      people: number.format(hotspot.people),
                    })}
                  </title>
                </circle>
              );
            })}
          </svg>
          <figcaption className="journeys-map__legend">
            <span>{t('journeys.map.legendFlows')}</span>
            {(['origin', 'transit', 'exploitation'] as const).map((role) => (
              <span key={role} className="journeys-map__key-item">
                <span className={`journeys-map__key journeys-map__key--${role}`} aria-hidden="true" />{' '}
                {t(journeyVocabularyKey('roles', role))}
              </span>
            ))}
            {level === 'member' && (
              <span>
                {t(
                  !map.regions
                    ? 'journeys.map.countriesOnly'
                    : filters.area
                      ? 'journeys.map.regionsInTable'
                      : 'journeys.map.regionsChooseCountry',
                )}
              </span>
            )}
          </figcaption>
          <p className="journeys__note">{t('journeys.map.suppressed', { k: map.k })}</p>
        </figure>
        <div className="journeys-map__tables">
          <Timeline map={map} filters={filters} go={go} />
          <Table
            caption={t('journeys.table.flowsCaption')}
            columns={flowColumns}
            rows={map.flows}
            rowKey={(f) => `${f.level}:${f.from}>${f.to}`}
          />
          {map.flows.length === 0 && <p className="muted">{t('journeys.table.noneShown', { k: map.k })}</p>}
          <Table
            caption={t('journeys.table.hotspotsCaption')}
            columns={hotspotColumns}
            rows={hotspots}
            rowKey={(h) => `${h.level}:${h.area}:${h.role}`}
          />
          {map.hotspots.length === 0 && (
            <p className="muted">{t('journeys.table.noneShown', { k: map.k })}</p>
          )}
          <h2 className="journeys__subheading">{t('journeys.table.download')}</h2>
          <ul className="journeys__downloads">
            {(['flows', 'hotspots', 'timeline'] as const).map((table) => (
              <li key={table}>
                <a href={csvHref(level, filters, table)} download>
                  {t(`journeys.table.csv.${table}`)}
                </a>
              </li>
            ))}
          </ul>
          <p className="muted">{t('journeys.table.hxl')}</p>
        </div>
      </div>
    </>
  );
}

/** People per year, as bars and as buttons: choosing a year narrows the map to it. */
function Timeline({
  map,
  filters,
  go,
}: {
  map: JourneyMap;
  filters: MapFilters;
  go: (f: MapFilters) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const number = useMemo(() => new Intl.NumberFormat([format.language]), [format.language]);
  const years = timelineYears(map.timeline);
  const largest = Math.max(0, ...map.timeline.map((y) => y.people));
  return (
    <section className="journeys-timeline" aria-labelledby="journeys-timeline-title">
      <h2 id="journeys-timeline-title" className="journeys__subheading">
        {t('journeys.timeline.title')}
      </h2>
      {years.length === 0 ? (
        <p className="muted">{t('journeys.timeline.none', { k: map.k })}</p>
      ) : (
        <ol className="journeys-timeline__years">
          {years.map(({ year, people }) => {
            const chosen = filters.fromYear === year && filters.toYear === year;
            return (
              <li key={year} className="journeys-timeline__year">
                <button
                  type="button"
                  className="journeys-timeline__button"
                  aria-pressed={chosen}
                  onClick={() => go(toggleYear(filters, year))}
                >
                  <span className="journeys-timeline__bar-frame" aria-hidden="true">
                    <span
                      className="journeys-timeline__bar"
                      style={{ blockSize: people === null ? 0 : `${Math.max(4, (100 * people) / largest)}%` }}
                    />
                  </span>
                  <span className="journeys-timeline__label">{year}</span>
                  <span className="journeys-timeline__people">
                    {people === null ? t('journeys.timeline.notShown') : number.format(people)}
                  </span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <p className="muted">{t('journeys.timeline.hint')}</p>
    </section>
  );
}
