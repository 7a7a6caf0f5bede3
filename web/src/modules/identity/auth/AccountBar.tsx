import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, NavLink, useLocation } from 'react-router';
import { Button, useToast, VisuallyHidden } from '../../../ui';
import { setActiveMembership, signOut } from './authApi';
import { actionErrorsOf } from './formErrors';
import { authPaths, signedOutPath, signInPathFor } from './navigation';
import { activeMembershipOf, resetOrganisationData, useMe, useSessionEndWatch, type Me } from './useMe';
import './account.css';

/**
 * Which organisation the person acts for, and a way to change it. Changing is a separate button rather than
 * on every change of the menu: moving through a menu with the arrow keys must not switch organisations (and
 * reload everything) at each step.
 */
function OrganisationSwitcher({ me }: { me: Me }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const toast = useToast();
  const selectId = useId();
  const active = activeMembershipOf(me);
  const change = useMutation({
    mutationFn: setActiveMembership,
    onSuccess: async (updated) => {
      await resetOrganisationData(queryClient, updated);
      const now = activeMembershipOf(updated);
      if (now)
        toast.show(t('auth.account.switched', { organisation: now.organisation.name }), { tone: 'success' });
    },
    onError: (error) => {
      toast.show(actionErrorsOf(error, [], t).formError ?? t('auth.errors.network'), { tone: 'error' });
    },
  });

  if (me.memberships.length === 0) return null;
  if (me.memberships.length === 1 && active) {
    return (
      <p className="account-bar__organisation">
        {t('auth.account.actingFor')} <strong>{active.organisation.name}</strong>
      </p>
    );
  }

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const membershipId = new FormData(event.currentTarget).get('membershipId');
    if (typeof membershipId !== 'string' || membershipId === '' || membershipId === me.activeMembershipId)
      return;
    if (!change.isPending) change.mutate(membershipId);
  };

  return (
    <form className="account-bar__organisation account-bar__switcher" onSubmit={submit}>
      <label htmlFor={selectId}>{t('auth.account.actingFor')}</label>
      {/* Uncontrolled, keyed by the active membership so it follows a switch made in another tab. */}
      <select id={selectId} name="membershipId" defaultValue={active?.id ?? ''} key={active?.id ?? 'none'}>
        {!active && (
          <option value="" disabled>
            {t('auth.account.chooseOrganisation')}
          </option>
        )}
        {me.memberships.map((membership) => (
          <option key={membership.id} value={membership.id}>
            {membership.organisation.status === 'active'
              ? membership.organisation.name
              : t('auth.account.organisationWithStatus', {
                  organisation: membership.organisation.name,
                  status: membership.organisation.status,
                })}
          </option>
        ))}
      </select>
      <Button type="submit" variant="secondary" busy={change.isPending}>
        {t('auth.account.switch')}
      </Button>
    </form>
  );
}

/**
 * The signed-in area of the header, on every page: who is signed in, the organisation they act for, their
 * account pages and signing out; or a sign-in link. Knowing at a glance which organisation one acts for
 * matters here: the same person may hold cases for two organisations.
 */
export function AccountBar() {
  const { t } = useTranslation();
  const me = useMe();
  useSessionEndWatch();
  const location = useLocation();
  const toast = useToast();
  const leave = useMutation({
    mutationFn: signOut,
    onSuccess: () => {
      // SECURITY: a full page load rather than an in-app navigation. It wipes everything the pages held in
      // memory for this person (cached answers, half-filled forms, component state), which matters on the
      // shared computers many of Cairn's users work on.
      window.location.assign(signedOutPath);
    },
    // The session may still be alive: saying "signed out" here would be a dangerous lie on a shared computer.
    onError: () => toast.show(t('auth.signOut.failed'), { tone: 'error' }),
  });

  // Nothing until the answer arrives (or if it cannot): a sign-in link that turns into a name is worse.
  if (me.isPending || me.isError) return null;

  const signOutButton = (
    <Button
      variant="secondary"
      className="account-bar__sign-out"
      busy={leave.isPending}
      onClick={() => leave.mutate()}
    >
      {t('auth.signOut.action')}
    </Button>
  );

  if (me.data === null) {
    if (location.pathname === authPaths.signIn) return null;
    // Coming back to the password pages after signing in would make no sense; anywhere else, come back.
    const passwordPage =
      location.pathname === authPaths.forgotPassword || location.pathname === authPaths.resetPassword;
    const target = passwordPage ? authPaths.signIn : signInPathFor(`${location.pathname}${location.search}`);
    return (
      <div className="account-bar">
        <div className="account-bar__inner account-bar__inner--end">
          <Link className="account-bar__sign-in" to={target}>
            {t('auth.signIn.link')}
          </Link>
        </div>
      </div>
    );
  }

  const person = me.data;
  if (person.level === 'partial') {
    return (
      <div className="account-bar">
        <div className="account-bar__inner">
          <p className="account-bar__person">{t('auth.account.unfinished')}</p>
          {location.pathname !== authPaths.signIn && (
            <Link to={authPaths.signIn}>{t('auth.account.finishSignIn')}</Link>
          )}
          {signOutButton}
        </div>
      </div>
    );
  }

  return (
    <div className="account-bar">
      <div className="account-bar__inner">
        <p className="account-bar__person">
          <VisuallyHidden>{`${t('auth.account.signedInAs')} `}</VisuallyHidden>
          <span className="account-bar__name">{person.person.displayName}</span>
        </p>
        <OrganisationSwitcher me={person} />
        <ul className="account-bar__links">
          {!person.hasRequiredFactor && (
            <li>
              <NavLink className="account-bar__warning" to={authPaths.enrol}>
                {t('auth.account.addPasskey')}
              </NavLink>
            </li>
          )}
          <li>
            <NavLink to={authPaths.security}>{t('auth.account.security')}</NavLink>
          </li>
          <li>
            <NavLink to={authPaths.sessions}>{t('auth.account.sessions')}</NavLink>
          </li>
        </ul>
        {signOutButton}
      </div>
    </div>
  );
}
