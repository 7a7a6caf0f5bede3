import { useEffect, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../../api/problem';
import { Button, Loading, PageHeading, Table, saveFile, type TableColumn } from '../../../ui';
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
import { useRegionNames, useRegions } from '../../directory/profile/api';
import { vocabularyKey } from '../../directory/vocabulary';
import { SelectField } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { countriesFor, countryName } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import { useAreaAnswer, useWorldAnswer } from '../api';
import { mapCsv, type CsvHeadings, type CsvTable } from '../csv';
import { arcPath, drawable, flowWidth, roleOffset, timelineYears } from '../flows';
import { journeyPaths } from '../paths';
import { useJourneyRoles } from '../roles';
import {
  composeMap,
  effectiveArea,
  hasRegions,
  isRegion,
  type MapLevel,
  type MapPeriod,
  type ShownFlow,
  type ShownHotspot,
  type ShownMap,
} from '../published';
import {
  answerQuery,
  mapFilterParams,
  parseMapFilters,
  toggleYear,
  withoutEmpty,
  type MapFilters,
} from '../url-state';
import {
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
  const format = useFormat();
  const roles = useJourneyRoles();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseMapFilters(params, level === 'member'), [params, level]);
  const query = useMemo(() => answerQuery(filters), [filters]);
  const regions = hasRegions(level, filters);
  const areaCode = effectiveArea(filters.area, regions);
  const world = useWorldAnswer(level, query);
  // Only the member map without a band filter has region cells; elsewhere a country's numbers are the world's.
  const area = useAreaAnswer(query, regions ? areaCode : undefined);
  const atlas = useAtlas();
  const go = (next: MapFilters) => setParams(mapFilterParams(withoutEmpty(next)), { replace: false });

  // A period the publication no longer offers (an old link, a year whose routes were withdrawn) opens the
  // default period instead of an error.
  const periodRefused = refusesPeriod(world.error) || refusesPeriod(area.error);
  useEffect(() => {
    if (periodRefused && filters.period !== undefined) {
      setParams(mapFilterParams({ ...filters, period: undefined }), { replace: true });
    }
  }, [periodRefused, filters, setParams]);

  // Region codes are named by the gazetteer, country codes by the browser, both in the reader's language.
  const regionCountries = useMemo(() => {
    const codes = area.data
      ? [...area.data.flows.flatMap((f) => [f.from, f.to]), ...area.data.hotspots.map((h) => h.area)]
      : [];
    return [...new Set(codes.filter(isRegion).map((code) => code.slice(0, 2)))].sort();
  }, [area.data]);
  const regionNames = useRegionNames(regionCountries);
  const nameOf = (code: string) =>
    isRegion(code) ? (regionNames.get(code) ?? code) : countryName(code, format.language);
  // An area's answer is put together only with the world's answer of the same filters (while either loads
  // the next filters, the previous one stays shown, alone).
  const areaAnswer = area.isPlaceholderData || world.isPlaceholderData ? null : (area.data ?? null);
  const areaLoading = regions && areaCode !== undefined && areaAnswer === null && !area.isError;

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
      <Filters
        level={level}
        filters={filters}
        periods={world.data?.periods ?? []}
        period={filters.period ?? world.data?.period ?? undefined}
        go={go}
      />
      {world.isPending || atlas.isPending || periodRefused ? (
        <Loading label={t('journeys.map.loading')} />
      ) : world.isError ? (
        <LoadError error={world.error} onRetry={() => void world.refetch()} />
      ) : area.isError ? (
        <LoadError error={area.error} onRetry={() => void area.refetch()} />
      ) : atlas.isError ? (
        <LoadError error={atlas.error} onRetry={() => void atlas.refetch()} />
      ) : (
        <MapBody
          level={level}
          map={composeMap(world.data, areaAnswer, { level, areaCode: filters.area, regions, nameOf })}
          years={{ from: world.data.from, to: world.data.to }}
          areaLoading={areaLoading}
          shapes={atlas.data}
          filters={filters}
          go={go}
        />
      )}
    </div>
  );
}

/** Whether the server refused the period asked for (it is not one the publication offers). */
function refusesPeriod(error: Error | null): boolean {
  return (
    error instanceof ApiError &&
    error.status === 400 &&
    (error.problem?.errors ?? []).some((field) => field.path === 'query.period')
  );
}

/** The picker's order: every year together first, then the recent spans, then each year, latest first. */
function periodOrder(periods: readonly MapPeriod[]): MapPeriod[] {
  const spans: Record<string, number> = { all: 0, last5: 1, last3: 2 };
  const rank = (p: MapPeriod) => spans[p.id] ?? 3;
  return [...periods].sort((a, b) => rank(a) - rank(b) || b.from - a.from);
}

function Filters({
  level,
  filters,
  periods,
  period,
  go,
}: {
  level: MapLevel;
  filters: MapFilters;
  periods: readonly MapPeriod[];
  period: string | undefined;
  go: (f: MapFilters) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const countries = useMemo(() => countriesFor(format.language), [format.language]);
  const country = filters.area?.slice(0, 2);
  const regions = useRegions(country ?? '', level === 'member' && country !== undefined);
  const periodLabel = (p: MapPeriod) =>
    /^\d{4}$/.test(p.id) ? p.id : t(`journeys.filters.periods.${p.id}`, { from: p.from, to: p.to });
  const set = (key: keyof MapFilters, value: string | undefined) =>
    go({ ...filters, [key]: value === '' ? undefined : value });

  return (
    <fieldset className="orgs-group journeys-filters">
      <legend className="field__label">{t('journeys.filters.legend')}</legend>
      <div className="journeys-filters__fields">
        <SelectField
          name="period"
          label={t('journeys.filters.period')}
          placeholder={periods.length === 0 ? t('journeys.filters.noPeriods') : undefined}
          options={periodOrder(periods).map((p) => ({ value: p.id, label: periodLabel(p) }))}
          value={period ?? ''}
          onChange={(event) => set('period', event.target.value || undefined)}
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

const ROLE_ORDER: readonly ShownHotspot['role'][] = ['origin', 'transit', 'exploitation', 'destination'];

function MapBody({
  level,
  map,
  years,
  areaLoading,
  shapes,
  filters,
  go,
}: {
  level: MapLevel;
  map: ShownMap;
  years: { from: number | null; to: number | null };
  areaLoading: boolean;
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
  const flowColumns: TableColumn<ShownFlow>[] = [
    {
      key: 'route',
      header: t('journeys.table.flow'),
      cell: (f) => t('journeys.table.fromTo', { from: f.fromName, to: f.toName }),
      isRowHeader: true,
    },
    ...(level === 'member' ? [{ key: 'level', header: t('journeys.table.level'), cell: levelLabel }] : []),
    { key: 'people', header: t('journeys.table.people'), cell: (f) => number.format(f.people), align: 'end' },
  ];
  const hotspotColumns: TableColumn<ShownHotspot>[] = [
    { key: 'area', header: t('journeys.table.area'), cell: (h) => h.areaName, isRowHeader: true },
    ...(level === 'member' ? [{ key: 'level', header: t('journeys.table.level'), cell: levelLabel }] : []),
    { key: 'role', header: t('journeys.table.role'), cell: (h) => t(journeyVocabularyKey('roles', h.role)) },
    { key: 'people', header: t('journeys.table.people'), cell: (h) => number.format(h.people), align: 'end' },
  ];
  const hotspots = [...map.hotspots].sort(
    (a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || b.people - a.people,
  );
  const download = (table: CsvTable) => {
    const headings: CsvHeadings = {
      flows: ['level', 'fromCountry', 'fromRegion', 'toCountry', 'toRegion', 'people', 'fromYear', 'toYear'],
      hotspots: ['level', 'country', 'region', 'role', 'people', 'fromYear', 'toYear'],
      timeline: ['year', 'people'],
    };
    for (const key of Object.keys(headings) as CsvTable[]) {
      headings[key] = headings[key].map((column) => t(`journeys.table.columns.${column}`));
    }
    saveFile(mapCsv(map, table, headings, years), `cairn-journeys-${table}-${map.period ?? 'all'}.csv`);
  };

  return (
    <>
      <p className="journeys__total" aria-live="polite">
        {areaLoading
          ? t('journeys.map.loading')
          : map.total === null
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
                <Button variant="secondary" onClick={() => download(table)}>
                  {t(`journeys.table.csv.${table}`)}
                </Button>
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
function Timeline({ map, filters, go }: { map: ShownMap; filters: MapFilters; go: (f: MapFilters) => void }) {
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
            const chosen = filters.period === String(year);
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
