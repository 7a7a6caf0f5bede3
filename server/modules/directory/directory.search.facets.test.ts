import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FacetWriter } from './directory.search.facets.js';

/**
 * Facet counts are written as bytes from the index's counters (directory.search.facets.ts). Checked against the
 * same counts made the plain way: objects per value, sorted, and JSON.stringify.
 */
const layout = { names: ['service', 'country', 'network'], prefixes: ['service', 'country', 'network'] };

// Tags of the layout's facets and of others (regions are not in this layout), with values in any script.
const tag = fc.record({
  prefix: fc.constantFrom('service', 'country', 'network', 'region'),
  value: fc.oneof(
    fc.constantFrom('shelter', 'legal_aid', 'KE', 'TH', ''),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
  ),
});

function expected(tags: Array<{ prefix: string; value: string }>, counts: number[]): string {
  const out: Record<string, Array<{ value: string; count: number }>> = {};
  for (const name of layout.names) out[name] = [];
  tags.forEach(({ prefix, value }, id) => {
    if (counts[id]! > 0 && prefix in out) out[prefix]!.push({ value, count: counts[id]! });
  });
  for (const values of Object.values(out))
    values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return JSON.stringify(out);
}

describe('facet counts written from counters', () => {
  it('are the JSON of the counts sorted by count then value, and leave every counter at zero', () => {
    fc.assert(
      fc.property(
        // Distinct tags (as an index's are), then counts for some of them, asked twice with tags added between.
        fc.uniqueArray(tag, { selector: (t) => `${t.prefix}:${t.value}`, minLength: 1, maxLength: 40 }),
        fc.array(fc.nat({ max: 2_000_000 }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 40 }),
        (tags, someCounts, knownAtFirst) => {
          const writer = new FacetWriter(layout);
          const counters = new Uint32Array(64);
          const write = (known: number) => {
            const prefixes = tags.slice(0, known).map((t) => t.prefix);
            const values = tags.slice(0, known).map((t) => t.value);
            const counts = Array.from({ length: known }, (_, id) => someCounts[id] ?? 0);
            const touched = new Int32Array(64);
            let n = 0;
            counts.forEach((count, id) => {
              if (count === 0) return;
              counters[id] = count;
              touched[n++] = id;
            });
            const bytes = writer.write(prefixes, values, counters, touched, n);
            expect(bytes.toString()).toBe(expected(tags.slice(0, known), counts));
            expect(counters.every((c) => c === 0)).toBe(true);
          };
          write(Math.min(knownAtFirst, tags.length));
          write(tags.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes every facet of the layout, empty ones too, and counts of many digits', () => {
    const writer = new FacetWriter(layout);
    const counters = Uint32Array.from([9, 1_234_567, 10]);
    const bytes = writer.write(
      ['service', 'service', 'region'],
      ['shelter', 'legal_aid', 'KE.01'],
      counters,
      Int32Array.from([0, 1, 2]),
      3,
    );
    expect(JSON.parse(bytes.toString())).toEqual({
      service: [
        { value: 'legal_aid', count: 1_234_567 },
        { value: 'shelter', count: 9 },
      ],
      country: [],
      network: [],
    });
  });
});
