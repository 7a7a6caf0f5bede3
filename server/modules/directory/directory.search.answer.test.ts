import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { organisationTypes, tiers } from '../identity/index.js';
import { EncodedHits, hitPartsOf, writeAnswer, type PageHit } from './directory.search.answer.js';
import type { IndexedDoc, ShownLists } from './directory.search.index.js';
import { facetNames, searchResultSchema, type SearchResult } from './directory.search.schemas.js';

/**
 * The search's answer is written from hit parts the index encoded once (decision 0016). Its bytes must be
 * exactly those zod's serializer writes for the same answer as objects: same fields, same order, same escapes.
 */
const zodBytes = (value: unknown) => Buffer.from(JSON.stringify(searchResultSchema.parse(value)));

// Any UTF-16 code units (lone surrogates, controls, quotes, U+2028) and whole graphemes of any script.
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);
const codes = fc.array(fc.oneof(fc.constantFrom('TH', 'legal_aid', 'km'), text), { maxLength: 4 });

const row = fc.record({
  organisationId: fc.uuid(),
  name: text,
  type: fc.constantFrom(...organisationTypes),
  tier: fc.option(fc.constantFrom(...tiers), { nil: null }),
  updatedAt: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  lists: fc.record({ countries: codes, services: codes, populations: codes, languages: codes }),
  // Short descriptions by language (some empty), of which the reader sees one.
  summaries: fc.dictionary(
    fc.oneof(fc.constantFrom('en', 'th', 'ar'), text),
    fc.oneof(text, fc.constant('')),
    {
      maxKeys: 4,
    },
  ),
  distanceKm: fc.option(
    fc.double({ min: 0, max: 20_000, noNaN: true }).map((d) => Math.round(d * 10) / 10),
    { nil: null },
  ),
});
type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

const docOf = (r: Row): IndexedDoc =>
  ({
    organisationId: r.organisationId,
    name: r.name,
    type: r.type,
    tier: r.tier,
    updatedAt: r.updatedAt,
    summaries: r.summaries,
  }) as IndexedDoc;

const facetCounts = fc.array(fc.record({ value: text, count: fc.nat(2_000_000) }), { maxLength: 5 });
const facets = fc.record(
  Object.fromEntries(facetNames.map((f) => [f, facetCounts])),
) as unknown as fc.Arbitrary<SearchResult['facets']>;

const answer = fc.record({
  rows: fc.array(row, { maxLength: 6 }),
  facets,
  total: fc.nat(200_000),
  page: fc.integer({ min: 1, max: 500 }),
  pageSize: fc.integer({ min: 1, max: 100 }),
  reader: fc.constantFrom('en', 'th', 'ar', 'sw'),
});

/** The summary a reader sees: in their language, else English (each only with text), else the first. */
function expectedSummary(summaries: Record<string, string>, reader: string) {
  const entries = Object.entries(summaries);
  const [language, summary] = entries.find(([l, t]) => l === reader && t !== '') ??
    entries.find(([l, t]) => l === 'en' && t !== '') ??
    entries[0] ?? [null, null];
  return { summary, summaryLanguage: language };
}

/** The answer as objects, as searchOrganisations builds it. */
function asObjects(a: typeof answer extends fc.Arbitrary<infer T> ? T : never): SearchResult {
  return {
    total: a.total,
    page: a.page,
    pageSize: a.pageSize,
    items: a.rows.map((r) => ({
      organisationId: r.organisationId,
      name: r.name,
      type: r.type,
      tier: r.tier,
      ...expectedSummary(r.summaries, a.reader),
      ...r.lists,
      distanceKm: r.distanceKm,
      updatedAt: r.updatedAt,
    })),
    facets: a.facets,
  };
}

describe('the search answer written from encoded hits', () => {
  it('is byte for byte what zod’s serializer writes, from a shard’s encoded rows and from parts made afresh', () => {
    fc.assert(
      fc.property(answer, (a) => {
        const docs = a.rows.map(docOf);
        const listsByDoc = new Map<IndexedDoc, ShownLists>(docs.map((d, i) => [d, a.rows[i]!.lists]));
        const listsOf = (d: IndexedDoc) => listsByDoc.get(d)!;
        // Rows encoded in another order than the page's, as a shard's name order would be.
        const shardDocs = [...docs].reverse();
        const encoded = new EncodedHits(shardDocs.map((d) => hitPartsOf(d, listsOf(d))));
        const head = { total: a.total, page: a.page, pageSize: a.pageSize };
        const values = (i: number) => ({ distanceKm: a.rows[i]!.distanceKm });
        const fromShard: PageHit[] = docs.map((d, i) => ({
          encoded: { hits: encoded, row: shardDocs.indexOf(d) },
          ...values(i),
        }));
        const afresh: PageHit[] = docs.map((d, i) => ({ encoded: hitPartsOf(d, listsOf(d)), ...values(i) }));
        const expected = zodBytes(asObjects(a));
        const facetBytes = Buffer.from(JSON.stringify(a.facets));
        expect(writeAnswer(head, fromShard, facetBytes, a.reader).toString()).toBe(expected.toString());
        expect(writeAnswer(head, afresh, facetBytes, a.reader).equals(expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('writes an empty page and empty facets', () => {
    const empty = Object.fromEntries(facetNames.map((f) => [f, []])) as unknown as SearchResult['facets'];
    const written = writeAnswer(
      { total: 0, page: 1, pageSize: 20 },
      [],
      Buffer.from(JSON.stringify(empty)),
      'en',
    );
    expect(written.equals(zodBytes({ total: 0, page: 1, pageSize: 20, items: [], facets: empty }))).toBe(
      true,
    );
  });
});
