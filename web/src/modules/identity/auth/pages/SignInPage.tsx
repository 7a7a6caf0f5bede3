import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { Button, Form, Loading, PageHeading, TextField, useToast } from '../../../../ui';
import { signInWithPassword, type FactorKind } from '../authApi';
import { factorsFromMe } from '../factors';
import { actionErrorsOf, missingFields, noErrors, textOf, type ActionErrors } from '../formErrors';
import { authPaths, safeNextPath } from '../navigation';
import { signInWithPasskey } from '../passkeyApi';
import { QueryProblem } from '../QueryProblem';
import { meQueryKey, reloadMe, useMe } from '../useMe';
import { passkeysSupported } from '../webauthn';
import { SecondFactorStep } from './SecondFactorStep';
import './auth.css';

/**
 * Signing in: email and password, then the second step the server asks for (passkey, authenticator code or
 * recovery code); or a passkey alone, which is both factors at once.
 */
export function SignInPage() {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [searchParams] = useSearchParams();
  const next = safeNextPath(searchParams.get('next'));
  // Set when the password step answers; after a reload the factors come from GET /api/auth/me instead.
  const [factors, setFactors] = useState<FactorKind[] | null>(null);
  const [errors, setErrors] = useState<ActionErrors>(noErrors);
  const [passkeyError, setPasskeyError] = useState<string | undefined>();
  // While finishing, `me` turns full before navigation: keep this page from redirecting on its own.
  const [finishing, setFinishing] = useState(false);

  /** Loads the now signed-in person and goes on: to add a required passkey first, or where they were. */
  const finish = async () => {
    setFinishing(true);
    try {
      const person = await reloadMe(queryClient);
      if (person && person.level === 'full') {
        toast.show(t('auth.signIn.done', { name: person.person.displayName }), { tone: 'success' });
        const target = person.hasRequiredFactor
          ? next
          : `${authPaths.enrol}?next=${encodeURIComponent(next)}`;
        await navigate(target, { replace: true });
        return;
      }
    } catch {
      // Shown below as the form's error: the sign-in worked but the page could not load who is signed in.
    }
    setFinishing(false);
    setErrors({ fieldErrors: {}, formError: t('auth.errors.network') });
  };

  const password = useMutation({
    mutationFn: ({ email, secret }: { email: string; secret: string }) => signInWithPassword(email, secret),
    onSuccess: async (result) => {
      if (result.status === 'signed_in') return finish();
      // The session is now partial: refresh `me` so the header says so too.
      await queryClient.invalidateQueries({ queryKey: meQueryKey });
      setFactors(result.factors);
    },
    onError: (error) => setErrors(actionErrorsOf(error, ['email', 'password'], t)),
  });

  const passkey = useMutation({
    mutationFn: signInWithPasskey,
    onSuccess: finish,
    onError: (error) => setPasskeyError(actionErrorsOf(error, [], t).formError),
  });

  if (me.isPending || me.isError) {
    return (
      <div className="page page--narrow">
        <PageHeading>{t('auth.signIn.title')}</PageHeading>
        {me.isPending ? (
          <Loading />
        ) : (
          <QueryProblem error={me.error} busy={me.isFetching} onRetry={() => void me.refetch()} />
        )}
      </div>
    );
  }
  if (me.data?.level === 'full' && !finishing) return <Navigate to={next} replace />;

  const secondStep = factors ?? (me.data?.level === 'partial' ? factorsFromMe(me.data) : null);
  if (secondStep) {
    return (
      <div className="page page--narrow">
        <PageHeading>{t('auth.signIn.title')}</PageHeading>
        <SecondFactorStep factors={secondStep} onSignedIn={finish} onCancelled={() => setFactors(null)} />
      </div>
    );
  }

  const submit = (data: FormData) => {
    if (password.isPending) return;
    const missing = missingFields(
      data,
      { email: 'auth.signIn.emailRequired', password: 'auth.signIn.passwordRequired' },
      t,
    );
    if (Object.keys(missing).length > 0) {
      setErrors({ fieldErrors: missing });
      return;
    }
    setErrors(noErrors);
    password.mutate({ email: textOf(data, 'email').trim(), secret: textOf(data, 'password') });
  };

  return (
    <div className="page page--narrow">
      <PageHeading>{t('auth.signIn.title')}</PageHeading>
      {searchParams.has('signedOut') && (
        <div className="notice" role="status">
          <p>{t('auth.signOut.done')}</p>
        </div>
      )}
      <p>{t('auth.signIn.intro')}</p>
      <Form onSubmit={submit} errors={errors.fieldErrors} formError={errors.formError}>
        <TextField
          name="email"
          type="email"
          label={t('auth.signIn.email')}
          autoComplete="username"
          inputMode="email"
          spellCheck={false}
          required
        />
        <TextField
          name="password"
          type="password"
          label={t('auth.signIn.password')}
          autoComplete="current-password"
          required
        />
        <div className="actions">
          <Button type="submit" busy={password.isPending || finishing}>
            {t('auth.signIn.submit')}
          </Button>
          <Link to={authPaths.forgotPassword}>{t('auth.signIn.forgotPassword')}</Link>
        </div>
      </Form>

      {passkeysSupported() && (
        <section className="auth-section" aria-labelledby="sign-in-passkey">
          <h2 id="sign-in-passkey">{t('auth.signIn.passkeyHeading')}</h2>
          <p>{t('auth.signIn.passkeyIntro')}</p>
          {passkeyError && (
            <p className="field__error" role="alert">
              {passkeyError}
            </p>
          )}
          <Button
            variant="secondary"
            busy={passkey.isPending}
            onClick={() => {
              setPasskeyError(undefined);
              passkey.mutate();
            }}
          >
            {t('auth.signIn.withPasskey')}
          </Button>
        </section>
      )}
    </div>
  );
}
