import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from './directory.gazetteer.js';
import {
  bitsOf,
  intersect,
  keepSet,
  matchOne,
  nameSimilarity,
  Shard,
  trigramsOf,
  wordsOf,
  type IndexedDoc,
  type IndexQuery,
} from './directory.search.index.js';

const similarity = (query: string, name: string) =>
  nameSimilarity(
    wordsOf(query).map((w) => trigramsOf(w)),
    name,
  );

describe('name similarity (the in-memory index)', () => {
  it('forgives a typo or two, accents and case', () => {
    expect(similarity('Coast Childrn Trst', 'coast children trust')).toBeGreaterThanOrEqual(0.6);
    expect(similarity('São Tomé', 'associacao sao tome de apoio')).toBe(1);
    expect(similarity('mombassa', 'mombasa women forum')).toBeGreaterThanOrEqual(0.6);
  });

  it('does not match a different word that only shares a prefix', () => {
    expect(similarity('zephyr3fa91c0b', 'zephyrc0b3fa91 hidden haven')).toBeLessThan(0.6);
    expect(similarity('legal', 'leggings factory')).toBeLessThan(0.6);
  });

  it('matches whole words in scripts without spaces between words', () => {
    expect(similarity('มูลนิธิเพื่อนหญิง', 'friends of women | มูลนิธิเพื่อนหญิง')).toBe(1);
    expect(similarity('ስደተኞች', 'የስደተኞች ማህበር')).toBeLessThan(1);
  });
});

describe('the indexed shard agrees with the row-by-row rules', () => {
  // A small deterministic generator: names and words from a few stems, so queries hit, miss and nearly hit.
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const stems = [
    'shelter',
    'legal',
    'community',
    'children',
    'women',
    'migrant',
    'fishers',
    'casa',
    'nyumba',
  ];
  const endings = ['', 's', 'es', 'ing', 'al'];
  const tags = ['service:shelter', 'service:legal_aid', 'country:KE', 'country:TH', 'population:boys'];
  const docs: IndexedDoc[] = Array.from({ length: 4_000 }, (_, i) => {
    const nameWords = [pick(stems) + pick(endings), pick(stems), `org${i % 97}`];
    return {
      organisationId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      audience: 'members',
      active: random() > 0.05,
      tier: random() > 0.5 ? 'verified' : null,
      type: 'ngo',
      name: nameWords.join(' '),
      namesFolded: nameWords.join(' '),
      tokens: Array.from({ length: 6 }, () => pick(stems) + pick(endings)),
      tags: tags.filter(() => random() > 0.4),
      countries: [],
      regions: [],
      summaries: {},
      latitude: null,
      longitude: null,
      updatedAt: new Date(0).toISOString(),
      tagIds: new Int32Array(0),
      order: i,
    };
  });
  const ids = new Map(tags.map((tag, i) => [tag, i]));
  for (const doc of docs) doc.tagIds = Int32Array.from(doc.tags, (tag) => ids.get(tag)!);
  // matchOne reads the words; the shard keeps only their ids, so the reference keeps its own copies.
  const reference = docs.map((doc) => ({ ...doc, tokens: [...doc.tokens] }));
  const shard = new Shard(docs);
  const copy = () => reference.map((doc) => ({ ...doc, tokens: [...doc.tokens] }));
  // The same rows again, always through the postings lists (filters then only mask them) ...
  const viaPostings = new Shard(copy(), { directLimit: 0 });
  // ... row by row with the words always looked up (in each row's words, or in bitmaps), and always found by
  // walking their postings.
  const byLookup = new Shard(copy(), { walkLimit: 0, bitmapFrom: Number.POSITIVE_INFINITY });
  const byBitmaps = new Shard(copy(), { walkLimit: 0, bitmapFrom: 0 });
  const byWalking = new Shard(copy(), { walkLimit: Number.POSITIVE_INFINITY });
  const none = new Set<string>();

  it('finds the same rows, with the same relevance, through postings and row by row (words looked up or walked)', () => {
    const queries: IndexQuery[] = [];
    for (let i = 0; i < 60; i++) {
      queries.push({
        tags: tags.filter(() => random() > 0.8),
        tiers: random() > 0.8 ? ['verified'] : [],
        text:
          random() > 0.2
            ? [pick(stems) + pick(endings), random() > 0.5 ? pick(stems) : ''].join(' ').trim()
            : null,
      });
    }
    queries.push(
      { tags: [], tiers: [], text: 'shelterz' },
      { tags: ['service:shelter'], tiers: [], text: 'ki' },
    );
    for (const q of queries) {
      const fromShard = new Map(shard.query(q, none).map((h) => [h.doc.organisationId, h.score]));
      const expected = new Map(
        reference.flatMap((doc) => {
          const hit = matchOne(doc, q);
          return hit ? [[doc.organisationId, hit.score] as const] : [];
        }),
      );
      expect([...fromShard.keys()].sort(), JSON.stringify(q)).toEqual([...expected.keys()].sort());
      for (const [id, score] of expected) expect(fromShard.get(id)!, JSON.stringify(q)).toBeCloseTo(score, 4);
      for (const other of [viaPostings, byLookup, byBitmaps, byWalking]) {
        const found = new Map(other.query(q, none).map((h) => [h.doc.organisationId, h.score]));
        expect([...found.keys()].sort(), JSON.stringify(q)).toEqual([...expected.keys()].sort());
        for (const [id, score] of expected) expect(found.get(id)!, JSON.stringify(q)).toBeCloseTo(score, 4);
      }
    }
  });
});

describe('intersecting postings lists', () => {
  it('finds exactly the common ids, walking, galloping or by bitmap, whatever the sizes', () => {
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const sortedSample = (size: number, range: number) =>
      Int32Array.from(new Set(Array.from({ length: size }, () => Math.floor(random() * range)))).sort();
    for (let round = 0; round < 300; round++) {
      const range = 1 + Math.floor(random() * 50_000);
      const a = sortedSample(Math.floor(random() * 40), range);
      // From as short as the other list to hundreds of times longer: both ways of intersecting.
      const b = sortedSample(Math.floor(random() * (round % 2 ? 20_000 : 60)), range);
      const inB = new Set(b);
      const expected = [...a].filter((id) => inB.has(id));
      expect([...intersect(a, b)]).toEqual(expected);
      expect([...intersect(b, a)]).toEqual(expected);
      // A long list's bitmap narrows the other list to the same ids.
      expect([...keepSet(a, bitsOf(b, range))]).toEqual(expected);
      expect([...keepSet(b, bitsOf(a, range))]).toEqual(expected);
    }
    // The ends of the long list, and ids past it.
    const long = Int32Array.from({ length: 10_000 }, (_, i) => i * 3);
    expect([...intersect(Int32Array.from([0, 1, 3, 29_997]), long)]).toEqual([0, 3, 29_997]);
    expect([...intersect(Int32Array.from([29_996, 29_997, 30_000]), long)]).toEqual([29_997]);
  });
});

describe('folding text', () => {
  it('folds printable ASCII (its quick way) exactly as the full normalisation does', () => {
    // A non-ASCII letter after the text sends it the full way; "é" folds to "e" and joins nothing before it.
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
        (text) => {
          expect(fold(text) + 'e').toBe(fold(`${text}é`));
        },
      ),
      { numRuns: 500 },
    );
    expect(fold('São Tomé SHELTER')).toBe('sao tome shelter');
  });
});
