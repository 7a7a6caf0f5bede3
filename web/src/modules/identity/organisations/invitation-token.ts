/**
 * Takes the token out of the address bar, keeping the router's history state, so it is not left in the
 * browser's history, in bookmarks, or on screen for someone looking over a shoulder.
 */
export function removeHashFromAddress(
  location: Pick<Location, 'pathname' | 'search' | 'hash'>,
  history: History,
): void {
  if (location.hash === '') return;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}
