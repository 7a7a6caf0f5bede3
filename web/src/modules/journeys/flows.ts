import type { ShownFlow as Flow, ShownHotspot as Hotspot } from './published';

/** A point on the drawing. */
export type Point = readonly [number, number];

/**
 * An SVG path for a flow: a quadratic curve bowed to the left of its direction, so the flows A→B and B→A
 * are drawn apart instead of on top of each other.
 */
export function arcPath(from: Point, to: Point, bend = 0.2): string {
  const [x1, y1] = from;
  const [x2, y2] = to;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const cx = (x1 + x2) / 2 + dy * bend;
  const cy = (y1 + y2) / 2 - dx * bend;
  const f = (n: number) => Number(n.toFixed(1));
  return `M${f(x1)},${f(y1)} Q${f(cx)},${f(cy)} ${f(x2)},${f(y2)}`;
}

/** A flow's stroke width: its area-like weight grows with the square root of the people it carries. */
export function flowWidth(people: number, largest: number, min = 1.5, max = 12): number {
  if (people <= 0 || largest <= 0) return 0;
  return min + (max - min) * Math.sqrt(people / largest);
}

/**
 * What the SVG draws: country-to-country flows and country hotspots. Regions have no outline or centre in
 * the atlas, so the member map's region rows are read in its table. Only what the server published is drawn —
 * nothing is summed or derived here, so nothing the server hid can reappear on the drawing.
 */
export function drawable(flows: readonly Flow[], hotspots: readonly Hotspot[]) {
  return {
    flows: flows.filter((flow) => flow.level === 'country' && flow.from !== flow.to),
    hotspots: hotspots.filter((hotspot) => hotspot.level === 'country' && hotspot.role !== 'destination'),
  };
}

/** A hotspot's marker is nudged by role around the country's centre so an origin and a transit do not hide each other. */
export function roleOffset(role: Hotspot['role'], radius: number): Point {
  if (role === 'origin') return [-radius * 0.6, 0];
  if (role === 'exploitation') return [radius * 0.6, 0];
  return [0, -radius * 0.6];
}

/** The years from the first to the last of the timeline, with the people of each, or null where none is shown. */
export function timelineYears(
  timeline: readonly { year: number; people: number }[],
): { year: number; people: number | null }[] {
  if (timeline.length === 0) return [];
  const byYear = new Map(timeline.map((y) => [y.year, y.people]));
  const years = timeline.map((y) => y.year);
  const first = Math.min(...years);
  const last = Math.max(...years);
  const out: { year: number; people: number | null }[] = [];
  for (let year = first; year <= last; year += 1) out.push({ year, people: byYear.get(year) ?? null });
  return out;
}
