/** An area of the map's answer: a country or region code with its count. */
export interface CountedArea {
  code: string;
  count: number;
}

/** Areas where nobody offers what was asked, and which of them the map can draw. */
export interface Gaps {
  /** Codes with no organisation, sorted by `nameOf`. */
  codes: string[];
  /** Codes with at least one organisation. */
  covered: Set<string>;
}

/**
 * The service gaps: every candidate area that the map endpoint did not return (areas absent from its
 * answer have no matching organisation) or returned with a count of zero. Candidates are the countries
 * the atlas draws, or a country's regions from the gazetteer.
 */
export function findGaps(
  candidates: readonly string[],
  answer: readonly CountedArea[],
  nameOf: (code: string) => string,
  collator: Intl.Collator,
): Gaps {
  const covered = new Set(answer.filter((area) => area.count > 0).map((area) => area.code));
  const codes = [...new Set(candidates)]
    .filter((code) => !covered.has(code))
    .sort((a, b) => collator.compare(nameOf(a), nameOf(b)));
  return { codes, covered };
}

/** Countries the gap layer never reports: nobody lives there to be served. */
export const UNINHABITED = new Set(['AQ', 'TF']);

/**
 * The radius of a marker for a count: its area grows with the count (a square-root scale), between a
 * size a finger can hit and one that does not swallow a small country's neighbours.
 */
export function markerRadius(count: number, largest: number, min = 4, max = 22): number {
  if (count <= 0 || largest <= 0) return 0;
  return min + (max - min) * Math.sqrt(count / largest);
}
