import { useQuery } from '@tanstack/react-query';
import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Loading, Table, type TableColumn } from '../../../ui';
import { SelectField } from '../../identity/organisations/components/fields';
import { LoadError } from '../../identity/organisations/components/notices';
import { countryName } from '../../identity/organisations/countries';
import { useFormat } from '../../identity/organisations/format';
import { useRegions } from '../profile/api';
import { useDirectoryMap, type MapArea } from '../search/api';
import {
  drilledCountry,
  gapQueryOf,
  mapQueryOf,
  toggleFilter,
  type Go,
  type SearchState,
} from '../search/url-state';
import { POPULATIONS, SERVICES, isOneOf, vocabularyKey } from '../vocabulary';
import { UNINHABITED, findGaps, markerRadius } from './gaps';
import { MAP_HEIGHT, MAP_WIDTH, centreOfShape, countryPaths, countryShapes, projectionFor } from './geometry';
import './map.css';

/**
 * The world atlas (Natural Earth 1:110m, about 100 kB) comes with this chunk's first use and is parsed once;
 * it is part of Cairn's own files, so no map tiles or outside servers are ever asked for anything.
 */
export function useAtlas() {
  return useQuery({
    queryKey: ['directory', 'atlas'],
    queryFn: async () => countryShapes((await import('world-atlas/countries-110m.json')).default),
    staleTime: Infinity,
    gcTime: Infinity,
  });
}

/**
 * The map view of a search: organisations per country (circles sized by count), or per region once the
 * search is narrowed to one country, and a service-gap layer shading where nobody offers a chosen service to
 * a chosen population. Every map has a table beside it: the table is what keyboard and screen-reader users
 * use, and the SVG is described by its title.
 */
export function MapView({ state, go }: { state: SearchState; go: Go }) {
  const { t } = useTranslation();
  const format = useFormat();
  const atlas = useAtlas();
  const country = drilledCountry(state);
  const counts = useDirectoryMap(mapQueryOf(state));
  const gapQuery = gapQueryOf(state);
  const gapAnswer = useDirectoryMap(gapQuery);
  // A country's regions are the candidates for its gaps (the answer lists only regions that have someone).
  const regions = useRegions(country ?? '', country !== null && gapQuery !== null);

  const drill = (code: string) =>
    go((current) => ({ ...current, filters: { ...current.filters, country: [code], region: [] }, page: 1 }));
  const toWorld = () =>
    go((current) => ({ ...current, filters: { ...current.filters, country: [], region: [] }, page: 1 }));
  const toggleRegion = (code: string) => go((current) => toggleFilter(current, 'region', code));

  const areaName = (area: Pick<MapArea, 'code' | 'name'>) =>
    country ? (area.name ?? area.code) : countryName(area.code, format.language);

  return (
    <section className="dir-map" aria-labelledby="directory-map-title">
      <h2 id="directory-map-title">
        {country
          ? t('directory.map.titleCountry', { country: countryName(country, format.language) })
          : t('directory.map.titleWorld')}
      </h2>
      {country && (
        <p>
          <Button variant="secondary" onClick={toWorld}>
            {t('directory.map.backToWorld')}
          </Button>
        </p>
      )}
      <GapChoice state={state} go={go} />

      {atlas.isPending || counts.isPending ? (
        <Loading label={t('directory.map.loading')} />
      ) : atlas.isError ? (
        <LoadError error={atlas.error} onRetry={() => void atlas.refetch()} />
      ) : counts.isError ? (
        <LoadError error={counts.error} onRetry={() => void counts.refetch()} />
      ) : (
        <MapBody
          shapes={atlas.data}
          country={country}
          areas={counts.data.areas}
          total={counts.data.total}
          gap={
            gapQuery && gapAnswer.data && (!country || regions.data)
              ? {
                  answer: gapAnswer.data.areas,
                  candidates: country
                    ? (regions.data ?? []).map((r) => r.code)
                    : [...new Set(atlas.data.map((s) => s.code))].filter((code) => !UNINHABITED.has(code)),
                  regionNames: new Map((regions.data ?? []).map((r) => [r.code, r.name])),
                  service: state.gapService!,
                  population: state.gapPopulation!,
                }
              : null
          }
          gapLoading={gapQuery !== null && (gapAnswer.isPending || (country !== null && regions.isPending))}
          chosenRegions={state.filters.region}
          areaName={areaName}
          onCountry={drill}
          onRegion={toggleRegion}
        />
      )}
    </section>
  );
}

/** The service and population of the gap layer, held in the address like everything else. */
function GapChoice({ state, go }: { state: SearchState; go: Go }) {
  const { t } = useTranslation();
  return (
    <fieldset className="orgs-group dir-map__gap-choice">
      <legend className="field__label">{t('directory.map.gap.legend')}</legend>
      <p className="field__hint">{t('directory.map.gap.hint')}</p>
      <div className="dir-map__gap-fields">
        <SelectField
          name="gapService"
          label={t('directory.map.gap.service')}
          placeholder={t('directory.map.gap.none')}
          options={SERVICES.map((code) => ({ value: code, label: t(vocabularyKey('services', code)) }))}
          value={state.gapService ?? ''}
          onChange={(event) => {
            const value = event.target.value;
            go((current) => ({ ...current, gapService: isOneOf(SERVICES, value) ? value : null }));
          }}
        />
        <SelectField
          name="gapPopulation"
          label={t('directory.map.gap.population')}
          placeholder={t('directory.map.gap.none')}
          options={POPULATIONS.map((code) => ({ value: code, label: t(vocabularyKey('populations', code)) }))}
          value={state.gapPopulation ?? ''}
          onChange={(event) => {
            const value = event.target.value;
            go((current) => ({ ...current, gapPopulation: isOneOf(POPULATIONS, value) ? value : null }));
          }}
        />
      </div>
      {(state.gapService === null) !== (state.gapPopulation === null) && (
        <p className="muted">{t('directory.map.gap.chooseBoth')}</p>
      )}
    </fieldset>
  );
}

interface GapLayer {
  answer: readonly MapArea[];
  candidates: readonly string[];
  regionNames: ReadonlyMap<string, string>;
  service: string;
  population: string;
}

function MapBody({
  shapes,
  country,
  areas,
  total,
  gap,
  gapLoading,
  chosenRegions,
  areaName,
  onCountry,
  onRegion,
}: {
  shapes: ReturnType<typeof countryShapes>;
  country: string | null;
  areas: readonly MapArea[];
  total: number;
  gap: GapLayer | null;
  gapLoading: boolean;
  chosenRegions: readonly string[];
  areaName: (area: Pick<MapArea, 'code' | 'name'>) => string;
  onCountry: (code: string) => void;
  onRegion: (code: string) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const ids = useId();
  const focus = country ? (shapes.find((s) => s.code === country)?.feature ?? null) : null;
  const projection = useMemo(() => projectionFor(focus), [focus]);
  const paths = useMemo(() => countryPaths(shapes, projection), [shapes, projection]);
  const collator = useMemo(() => new Intl.Collator([format.language]), [format.language]);
  const number = useMemo(() => new Intl.NumberFormat([format.language]), [format.language]);

  const gaps = useMemo(() => {
    if (!gap) return null;
    const nameOf = (code: string) =>
      country ? (gap.regionNames.get(code) ?? code) : countryName(code, format.language);
    return { ...findGaps(gap.candidates, gap.answer, nameOf, collator), nameOf };
  }, [gap, country, format.language, collator]);
  const gapSet = useMemo(() => new Set(gaps?.codes ?? []), [gaps]);

  // With the gap layer on, countries are shaded instead; within a country (regions have no outlines in the
  // atlas) the regions where someone offers the service are marked, and the gaps are listed in the table.
  const markerAreas = gap ? (country ? gap.answer : []) : areas;
  const largest = Math.max(0, ...markerAreas.map((a) => a.count));
  const markers = markerAreas.flatMap((area) => {
    const point =
      area.latitude !== null && area.longitude !== null
        ? ([area.longitude, area.latitude] as [number, number])
        : country
          ? null
          : centreOfShape(shapes, area.code);
    const xy = point ? projection(point) : null;
    if (!xy) return [];
    return [{ area, x: xy[0], y: xy[1], r: markerRadius(area.count, largest) }];
  });
  const withOrganisations = new Set(areas.map((a) => a.code));

  const top = areas[0];
  const description =
    areas.length === 0
      ? t('directory.map.describeNone')
      : t('directory.map.describe', {
          count: total,
          areas: areas.length,
          top: top ? areaName(top) : '',
          topCount: top?.count ?? 0,
        });
  const gapDescription =
    gap && gaps
      ? t('directory.map.gap.describe', {
          count: gaps.codes.length,
          service: t(vocabularyKey('services', gap.service)),
          population: t(vocabularyKey('populations', gap.population)),
        })
      : '';

  const columns: TableColumn<MapArea>[] = [
    {
      key: 'area',
      header: t(country ? 'directory.map.region' : 'directory.map.country'),
      cell: areaName,
      isRowHeader: true,
    },
    {
      key: 'count',
      header: t('directory.map.organisations'),
      cell: (area) => number.format(area.count),
      align: 'end',
    },
    {
      key: 'action',
      header: t('directory.map.action'),
      cell: (area) =>
        country ? (
          <Button
            variant="quiet"
            aria-pressed={chosenRegions.includes(area.code)}
            onClick={() => onRegion(area.code)}
          >
            {t('directory.map.filterRegion', { region: areaName(area) })}
          </Button>
        ) : (
          <Button variant="quiet" onClick={() => onCountry(area.code)}>
            {t('directory.map.showCountry', { country: areaName(area) })}
          </Button>
        ),
    },
  ];

  return (
    <div className="dir-map__body">
      <figure className="dir-map__figure">
        <svg
          className="dir-map__svg"
          viewBox={`0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`}
          role="img"
          aria-labelledby={`${ids}-title ${ids}-desc`}
        >
          <title id={`${ids}-title`}>
            {country
              ? t('directory.map.titleCountry', { country: countryName(country, format.language) })
              : t('directory.map.titleWorld')}
          </title>
          <desc id={`${ids}-desc`}>{`${description} ${gapDescription}`.trim()}</desc>
          <defs>
            {/* Gaps are hatched as well as coloured, so they read without colour vision. */}
            <pattern
              id={`${ids}-hatch`}
              width="6"
              height="6"
              patternUnits="userSpaceOnUse"
              patternTransform="rotate(45)"
            >
              <rect width="6" height="6" className="dir-map__hatch-bg" />
              <line x1="0" y1="0" x2="0" y2="6" className="dir-map__hatch-line" />
            </pattern>
          </defs>
          <rect width={MAP_WIDTH} height={MAP_HEIGHT} className="dir-map__sea" />
          {[...paths].map(([code, d]) => {
            const isGap = !country && gapSet.has(code);
            const className = [
              'dir-map__country',
              code === country ? 'dir-map__country--focus' : '',
              !country && !gap && withOrganisations.has(code) ? 'dir-map__country--covered' : '',
              !country && gap && gaps?.covered.has(code) ? 'dir-map__country--covered' : '',
            ]
              .filter(Boolean)
              .join(' ');
            return (
              <path
                key={code}
                d={d}
                className={className}
                fill={isGap ? `url(#${ids}-hatch)` : undefined}
                onClick={country ? undefined : () => onCountry(code)}
              >
                <title>{countryName(code, format.language)}</title>
              </path>
            );
          })}
          {markers.map(({ area, x, y, r }) => (
            <g
              key={area.code}
              className={`dir-map__marker${chosenRegions.includes(area.code) ? ' dir-map__marker--chosen' : ''}`}
              onClick={() => (country ? onRegion(area.code) : onCountry(area.code))}
            >
              <circle cx={x} cy={y} r={r} />
              {r >= 11 && (
                <text x={x} y={y} dy="0.35em" textAnchor="middle">
                  {area.count}
                </text>
              )}
              <title>{t('directory.map.markerTitle', { area: areaName(area), count: area.count })}</title>
            </g>
          ))}
        </svg>
        <figcaption className="dir-map__legend">
          {gap ? (
            <>
              <span className="dir-map__key dir-map__key--gap" aria-hidden="true" />{' '}
              {t('directory.map.gap.legendGap')}{' '}
              <span className="dir-map__key dir-map__key--covered" aria-hidden="true" />{' '}
              {t('directory.map.gap.legendCovered')}
              {country && <span className="dir-map__note"> {t('directory.map.gap.regionsInTable')}</span>}
            </>
          ) : (
            t('directory.map.legend')
          )}
        </figcaption>
      </figure>

      <div className="dir-map__tables">
        {gapLoading && <Loading label={t('directory.map.gap.loading')} />}
        {gap && gaps && (
          <Table
            caption={gapDescription}
            columns={[
              {
                key: 'area',
                header: t(country ? 'directory.map.region' : 'directory.map.country'),
                cell: (code: string) => gaps.nameOf(code),
                isRowHeader: true,
              },
            ]}
            rows={gaps.codes}
            rowKey={(code) => code}
          />
        )}
        {!gap && <Table caption={description} columns={columns} rows={areas} rowKey={(area) => area.code} />}
      </div>
    </div>
  );
}
