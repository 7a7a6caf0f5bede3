import { describe, expect, it } from 'vitest';
import { currentCursor, firstPage, nextPage, pageNumber, previousPage } from './pagination';

describe('cursor trail', () => {
  it('goes forward with the server’s cursors and back through the ones seen', () => {
    let trail = firstPage;
    expect(currentCursor(trail)).toBeUndefined();
    expect(pageNumber(trail)).toBe(1);
    trail = nextPage(trail, 'a');
    trail = nextPage(trail, 'b');
    expect(currentCursor(trail)).toBe('b');
    expect(pageNumber(trail)).toBe(3);
    trail = previousPage(trail);
    expect(currentCursor(trail)).toBe('a');
    trail = previousPage(previousPage(trail));
    expect(trail).toEqual(firstPage);
  });
});
