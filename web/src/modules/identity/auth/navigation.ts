/** Where each page of this area lives; other modules link here rather than spelling the paths. */
export const authPaths = {
  signIn: '/sign-in',
  forgotPassword: '/forgot-password',
  resetPassword: '/reset-password',
  security: '/account/security',
  sessions: '/account/sessions',
  enrol: '/account/add-passkey',
} as const;

/** Where signing out lands: the sign-in page, saying that it worked. */
export const signedOutPath = `${authPaths.signIn}?signedOut=1`;

/**
 * The in-app path to return to after signing in, or `/`. SECURITY: `next` comes from the address bar, so
 * anything that could leave the site (`//evil.example`, `https://…`, `/\evil`) or carry script
 * (`javascript:`) is refused: only a plain path on this origin is kept.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Control characters could be read as separators by some browsers; a real path never has them.
  if ([...next].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return '/';
  try {
    const url = new URL(next, 'https://cairn.invalid');
    if (url.origin !== 'https://cairn.invalid') return '/';
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return '/';
  }
}

/** The sign-in page, remembering where to come back to (unless that is the home page). */
export function signInPathFor(next: string): string {
  const safe = safeNextPath(next);
  return safe === '/' ? authPaths.signIn : `${authPaths.signIn}?next=${encodeURIComponent(safe)}`;
}

/**
 * Reads and removes the `token` of a password-reset link from a location hash (`#token=…`). The token lives
 * in the fragment so servers and logs never see it; it is taken out of the address bar at once so it does
 * not stay in history, bookmarks or a screenshot.
 */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  return token && token.trim() !== '' ? token.trim() : null;
}
