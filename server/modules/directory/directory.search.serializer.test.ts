import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { organisationTypes, tiers } from '../identity/index.js';
import { compileSerializer } from '../../kernel/http/compiled-serializer.js';
import { facetNames, mapResultSchema, searchResultSchema } from './directory.search.schemas.js';

/**
 * The map's answer is written by a serializer compiled from its schema (decision 0015); the search's schema,
 * the larger of the two, tests the compiler too (the search itself writes from encoded parts, decision 0016).
 * A compiled serializer must write exactly what checking the answer with zod and `JSON.stringify` wrote: same
 * bytes, the same fields dropped, a missing field refused.
 */
const zodWay = (schema: z.ZodType, value: unknown) => JSON.stringify(schema.parse(value));

// Any UTF-16 code units (lone surrogates, controls, quotes, U+2028) and whole graphemes of any script.
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const count = fc.integer({ min: 0, max: 2_000_000 });
const extra = fc.dictionary(
  fc.constantFrom('secret', 'point', 'contactEmail', 'namesFolded'),
  fc.oneof(text, count),
);

const hit = fc
  .record({
    organisationId: fc.uuid(),
    name: text,
    type: fc.constantFrom(...organisationTypes),
    tier: fc.option(fc.constantFrom(...tiers), { nil: null }),
    summary: fc.option(text, { nil: null }),
    summaryLanguage: fc.option(fc.constantFrom('en', 'th', 'km', 'ar'), { nil: null }),
    countries: fc.array(fc.constantFrom('TH', 'KE', 'VN'), { maxLength: 3 }),
    services: fc.array(text, { maxLength: 3 }),
    populations: fc.array(text, { maxLength: 3 }),
    languages: fc.array(text, { maxLength: 3 }),
    distanceKm: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
    updatedAt: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  })
  .chain((h) => extra.map((e) => ({ ...e, ...h })));

const facetCounts = fc.array(
  fc.record({ value: text, count }).chain((f) => extra.map((e) => ({ ...e, ...f }))),
  { maxLength: 4 },
);

const searchResult = fc
  .record({
    total: count,
    page: fc.integer({ min: 1, max: 500 }),
    pageSize: fc.integer({ min: 1, max: 100 }),
    items: fc.array(hit, { maxLength: 5 }),
    facets: fc.record(
      Object.fromEntries(facetNames.map((f) => [f, facetCounts])) as Record<string, typeof facetCounts>,
    ),
  })
  .chain((r) => extra.map((e) => ({ ...e, ...r })));

const mapResult = fc.record({
  total: count,
  areas: fc.array(
    fc.record({
      code: text,
      name: fc.option(text, { nil: null }),
      count,
      latitude: fc.option(fc.double({ min: -90, max: 90, noNaN: true }), { nil: null }),
      longitude: fc.option(fc.double({ min: -180, max: 180, noNaN: true }), { nil: null }),
    }),
    { maxLength: 6 },
  ),
});

describe('the directory answers’ compiled serializers', () => {
  const search = compileSerializer(searchResultSchema);
  const map = compileSerializer(mapResultSchema);

  it('write a search answer byte for byte as zod and JSON.stringify do, extra fields dropped', () => {
    fc.assert(
      fc.property(searchResult, (value) => {
        const written = search(value);
        expect(written).toBe(zodWay(searchResultSchema, value));
        expect(written).not.toContain('"secret"');
      }),
      { numRuns: 300 },
    );
  });

  it('write a map answer byte for byte as zod and JSON.stringify do', () => {
    fc.assert(
      fc.property(mapResult, (value) => {
        expect(map(value)).toBe(zodWay(mapResultSchema, value));
      }),
      { numRuns: 300 },
    );
  });

  it('refuse an answer missing a required field, as zod does', () => {
    const value = {
      total: 1,
      areas: [{ code: 'TH', count: 1, latitude: null, longitude: null }],
    };
    expect(() => mapResultSchema.parse(value)).toThrow();
    expect(() => map(value)).toThrow(/name/);
  });
});
