/** Cairn's mark: a stack of balanced stones, like the trail markers the project is named after. */
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
      <ellipse cx="16" cy="27" rx="12" ry="4" fill="#c9dde6" />
      <ellipse cx="16" cy="19" rx="9" ry="3.6" fill="#a5c6d5" />
      <ellipse cx="16" cy="12" rx="6.5" ry="3" fill="#80adc2" />
      <ellipse cx="16" cy="6" rx="4" ry="2.4" fill="#5d94ad" />
    </svg>
  );
}
