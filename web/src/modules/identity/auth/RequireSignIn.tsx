import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Loading } from '../../../ui';
import { authPaths, signInPathFor } from './navigation';
import { QueryProblem } from './QueryProblem';
import { useMe, type Me } from './useMe';

/** Props of {@link RequireSignIn}. */
export interface RequireSignInProps {
  /** What to show to a signed-in person; a function receives them. */
  children: ReactNode | ((me: Me) => ReactNode);
  /**
   * Also admit a person who still has to add the factor their role needs (the pages that let them add it,
   * and their own sessions). Everyone else is sent to the add-a-passkey page first, as the server would
   * refuse them anyway.
   */
  allowUnenrolled?: boolean;
}

/**
 * Shows its children only to a fully signed-in person; anyone else goes to the sign-in page and comes back
 * here afterwards. This is a convenience for the reader: the server checks every request regardless.
 */
export function RequireSignIn({ children, allowUnenrolled = false }: RequireSignInProps) {
  const me = useMe();
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;

  if (me.isPending) return <Loading />;
  if (me.isError)
    return <QueryProblem error={me.error} busy={me.isFetching} onRetry={() => void me.refetch()} />;
  if (me.data === null || me.data.level === 'partial') return <Navigate to={signInPathFor(here)} replace />;
  if (!allowUnenrolled && !me.data.hasRequiredFactor) {
    return <Navigate to={`${authPaths.enrol}?next=${encodeURIComponent(here)}`} replace />;
  }
  return typeof children === 'function' ? children(me.data) : children;
}
