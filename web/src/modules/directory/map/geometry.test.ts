import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MAP_HEIGHT, MAP_WIDTH, centreOfShape, countryPaths, countryShapes, projectionFor } from './geometry';

const atlas: unknown = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('world-atlas/countries-110m.json'), 'utf8'),
);
const shapes = countryShapes(atlas);

describe('map geometry', () => {
  it('keeps every atlas country, with its code', () => {
    expect(shapes).toHaveLength(177);
    expect(shapes.some((s) => s.code === 'KE')).toBe(true);
  });

  it('draws the world inside the map, Nairobi in the east of Africa', () => {
    const projection = projectionFor(null);
    const [x, y] = projection([36.82, -1.29]) ?? [NaN, NaN];
    expect(x).toBeGreaterThan(MAP_WIDTH / 2);
    expect(x).toBeLessThan(MAP_WIDTH);
    expect(y).toBeGreaterThan(MAP_HEIGHT / 2);
    expect(countryPaths(shapes, projection).size).toBe(175);
  });

  it('fits one country, even across the antimeridian', () => {
    for (const code of ['KE', 'RU', 'FJ']) {
      const focus = shapes.find((s) => s.code === code)?.feature ?? null;
      const centre = centreOfShape(shapes, code);
      const [x, y] = projectionFor(focus)(centre ?? [0, 0]) ?? [NaN, NaN];
      expect(x, code).toBeGreaterThan(0);
      expect(x, code).toBeLessThan(MAP_WIDTH);
      expect(y, code).toBeGreaterThan(0);
      expect(y, code).toBeLessThan(MAP_HEIGHT);
    }
  });
});
