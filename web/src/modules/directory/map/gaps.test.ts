import { describe, expect, it } from 'vitest';
import { findGaps, markerRadius } from './gaps';

const names: Record<string, string> = { KE: 'Kenya', UG: 'Uganda', TZ: 'Tanzania', RW: 'Rwanda' };
const collator = new Intl.Collator(['en']);
const nameOf = (code: string) => names[code] ?? code;

describe('findGaps', () => {
  it('reports every candidate that is absent from the answer or counted zero, by name', () => {
    const gaps = findGaps(
      ['KE', 'UG', 'TZ', 'RW'],
      [
        { code: 'KE', count: 3 },
        { code: 'UG', count: 0 },
      ],
      nameOf,
      collator,
    );
    expect(gaps.codes).toEqual(['RW', 'TZ', 'UG']);
    expect([...gaps.covered]).toEqual(['KE']);
  });

  it('ignores answered areas that are not candidates, and duplicates', () => {
    const gaps = findGaps(['KE', 'KE'], [{ code: 'XK', count: 2 }], nameOf, collator);
    expect(gaps.codes).toEqual(['KE']);
  });

  it('finds no gap where everyone is covered', () => {
    expect(findGaps(['KE'], [{ code: 'KE', count: 1 }], nameOf, collator).codes).toEqual([]);
  });
});

describe('markerRadius', () => {
  it('grows with the square root of the count, between the bounds', () => {
    expect(markerRadius(0, 10)).toBe(0);
    expect(markerRadius(10, 10)).toBe(22);
    expect(markerRadius(1, 100)).toBeCloseTo(4 + 18 * 0.1);
    expect(markerRadius(25, 100)).toBeCloseTo(4 + 18 * 0.5);
  });
});
