import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { NUMERIC_TO_ALPHA2, alpha2Of } from './iso-numeric';

type Atlas = { objects: { countries: { geometries: { id?: string; properties: { name: string } }[] } } };
const atlasPath = createRequire(import.meta.url).resolve('world-atlas/countries-110m.json');
const atlas = JSON.parse(readFileSync(atlasPath, 'utf8')) as Atlas;
const shapes = atlas.objects.countries.geometries;

// Where the atlas' short English label differs from the browser's English name for the same code.
const atlasLabels: Record<string, string> = {
  EH: 'W. Sahara',
  US: 'United States of America',
  CD: 'Dem. Rep. Congo',
  DO: 'Dominican Rep.',
  FK: 'Falkland Is.',
  TF: 'Fr. S. Antarctic Lands',
  CI: "Côte d'Ivoire",
  CF: 'Central African Rep.',
  CG: 'Congo',
  GQ: 'Eq. Guinea',
  SZ: 'eSwatini',
  PS: 'Palestine',
  MM: 'Myanmar',
  TR: 'Turkey',
  SB: 'Solomon Is.',
  BA: 'Bosnia and Herz.',
  MK: 'Macedonia',
  TT: 'Trinidad and Tobago',
  SS: 'S. Sudan',
};

describe('alpha2Of', () => {
  it('gives every shape of the atlas a country code', () => {
    const missing = shapes.filter((shape) => alpha2Of(shape) === null).map((s) => s.properties.name);
    expect(missing).toEqual([]);
  });

  it('maps each numeric code to the country the atlas names (checked against the browser’s names)', () => {
    const english = new Intl.DisplayNames(['en'], { type: 'region' });
    const wrong: string[] = [];
    for (const shape of shapes) {
      if (!shape.id) continue;
      const code = alpha2Of(shape) ?? '??';
      const expected = atlasLabels[code] ?? english.of(code);
      if (expected !== shape.properties.name) wrong.push(`${shape.id} → ${code}: ${shape.properties.name}`);
    }
    expect(wrong).toEqual([]);
  });

  it('maps distinct numeric codes to distinct countries', () => {
    const codes = Object.values(NUMERIC_TO_ALPHA2);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('names the unnumbered shapes by their label, and knows nothing else', () => {
    expect(alpha2Of({ properties: { name: 'Kosovo' } })).toBe('XK');
    expect(alpha2Of({ properties: { name: 'Atlantis' } })).toBeNull();
    expect(alpha2Of({ id: 4, properties: { name: 'Afghanistan' } })).toBe('AF');
    expect(alpha2Of({ id: '999' })).toBeNull();
  });
});
