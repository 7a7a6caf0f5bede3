import { geoCentroid, geoEqualEarth, geoPath, type GeoProjection } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { alpha2Of } from './iso-numeric';

/** The map's drawing size (the SVG scales to its container through its viewBox). */
export const MAP_WIDTH = 960;
export const MAP_HEIGHT = 480;

/** One country of the atlas, with its ISO 3166-1 alpha-2 code. */
export interface CountryShape {
  code: string;
  feature: GeoJSON.Feature;
}

type Atlas = Topology<{ countries: GeometryCollection<{ name: string }> }>;

/** The atlas' countries as GeoJSON features with their alpha-2 codes (shapes without a code are left out). */
export function countryShapes(atlas: unknown): CountryShape[] {
  const topology = atlas as Atlas;
  const collection = feature(topology, topology.objects.countries);
  return collection.features.flatMap((shape) => {
    const code = alpha2Of({ id: shape.id, properties: shape.properties });
    return code ? [{ code, feature: shape }] : [];
  });
}

/**
 * The projection for the world (Equal Earth: areas are true, so big countries do not look more served than
 * they are), or fitted to one country with a margin, turned so that countries across the antimeridian
 * (Russia, Fiji) are drawn in one piece.
 */
export function projectionFor(focus: GeoJSON.Feature | null): GeoProjection {
  const projection = geoEqualEarth();
  if (!focus) return projection.fitSize([MAP_WIDTH, MAP_HEIGHT], { type: 'Sphere' });
  const [longitude] = geoCentroid(focus);
  projection.rotate([-longitude, 0]);
  const margin = 24;
  return projection.fitExtent(
    [
      [margin, margin],
      [MAP_WIDTH - margin, MAP_HEIGHT - margin],
    ],
    focus,
  );
}

/** SVG path data for each country under a projection. */
export function countryPaths(
  shapes: readonly CountryShape[],
  projection: GeoProjection,
): Map<string, string> {
  const path = geoPath(projection);
  const paths = new Map<string, string>();
  for (const shape of shapes) {
    const d = path(shape.feature);
    // Several shapes can share a code (Somaliland is drawn with Somalia); their outlines are joined.
    if (d) paths.set(shape.code, `${paths.get(shape.code) ?? ''}${d}`);
  }
  return paths;
}

/** The point to draw a country's marker at, when the server gave none: the centre of its shape. */
export function centreOfShape(shapes: readonly CountryShape[], code: string): [number, number] | null {
  const shape = shapes.find((s) => s.code === code);
  return shape ? geoCentroid(shape.feature) : null;
}
