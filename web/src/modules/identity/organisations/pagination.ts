/**
 * Page-by-page navigation over a keyset-paginated list. The server only knows "the page after this cursor",
 * so going back means remembering the cursors of the pages already seen: `cursors[i]` opens page i + 1
 * (the first page has none).
 */
export interface CursorTrail {
  cursors: readonly (string | undefined)[];
}

export const firstPage: CursorTrail = { cursors: [undefined] };

/** The cursor of the page on screen. */
export const currentCursor = (trail: CursorTrail): string | undefined =>
  trail.cursors[trail.cursors.length - 1];

/** The 1-based number of the page on screen. */
export const pageNumber = (trail: CursorTrail): number => trail.cursors.length;

/** Moves to the page after the current one, opened by the current page's `nextCursor`. */
export function nextPage(trail: CursorTrail, nextCursor: string): CursorTrail {
  return { cursors: [...trail.cursors, nextCursor] };
}

/** Moves back one page; the first page stays where it is. */
export function previousPage(trail: CursorTrail): CursorTrail {
  return trail.cursors.length > 1 ? { cursors: trail.cursors.slice(0, -1) } : trail;
}
